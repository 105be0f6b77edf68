"""`forgeloc eval --model B [--model B2 ...] --data D [--data D2 ...] --out DIR`: report.json and report.md
with the pixel, frame and video tables of every model on every dataset, at each bundle's thresholds."""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", required=True, help="model bundle (repeatable)")
    parser.add_argument("--data", action="append", required=True, help="mask-gen dataset (repeatable)")
    parser.add_argument("--split", default="test", help="split to evaluate (default test)")
    parser.add_argument("--out", required=True, help="folder for report.json and report.md")


def _fmt(value) -> str:
    return "-" if value is None or value != value else f"{value:.3f}"


def markdown(report: dict) -> str:
    """The tables of report.json as Markdown."""
    lines = [
        f"# forgeloc evaluation ({report['split']} split)",
        "",
        f"forgeloc {report['version']}, {report['created']}",
        "",
    ]
    lines += [
        "## Segmentation (pixel)",
        "",
        "| model | data | images | Dice (mean) | IoU (mean) | Dice (dataset) | IoU (dataset) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in report["runs"]:
        if "pixel" in run:
            p = run["pixel"]
            lines.append(
                f"| {run['model']} | {run['data']} | {p['images']} | {_fmt(p['dice_mean'])} | {_fmt(p['iou_mean'])} | {_fmt(p['dice_dataset'])} | {_fmt(p['iou_dataset'])} |"
            )
    for level, title in (
        ("frame", "Frames"),
        ("video_majority", "Videos, majority vote (the seed's rule)"),
        ("video_mean", "Videos, mean score"),
    ):
        lines += [
            "",
            f"## {title}",
            "",
            "| model | data | n | precision | recall | F1 | accuracy | ROC-AUC | PR-AUC | EER | confusion [[TN, FP], [FN, TP]] |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for run in report["runs"]:
            s = run[level]
            lines.append(
                f"| {run['model']} | {run['data']} | {s['count']} | {_fmt(s['precision'])} | {_fmt(s['recall'])} | {_fmt(s['f1'])} "
                f"| {_fmt(s['accuracy'])} | {_fmt(s['roc_auc'])} | {_fmt(s['pr_auc'])} | {_fmt(s['eer'])} | {s['confusion']} |"
            )
    lines += [
        "",
        "Thresholds per run are in report.json. Pixel Dice: an empty prediction on an empty mask scores 1.",
        "",
    ]
    return "\n".join(lines)


def write_plots(out: Path, report: dict) -> list[str]:
    """ROC and PR PNGs per dataset (all models on one plot); their file names."""
    from eval.plots import curves_png
    from localize.atomic import write_bytes_atomic

    names = []
    datasets = list(dict.fromkeys(run["data"] for run in report["runs"]))
    for number, data in enumerate(datasets, start=1):
        runs = [run for run in report["runs"] if run["data"] == data]
        for kind in ("roc", "pr"):
            name = f"{kind}_{number}.png"
            write_bytes_atomic(out / name, curves_png(runs, kind))
            names.append(name)
    return names


def run(args: argparse.Namespace) -> int:
    from eval.evaluate import evaluate
    from localize import __version__
    from localize.atomic import write_text_atomic
    from localize.bundle import load_bundle

    bundles = {path: load_bundle(path) for path in args.model}
    report = {
        "version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "split": args.split,
        "runs": [],
    }
    for path, bundle in bundles.items():
        name = Path(path).name.removesuffix(".json").removesuffix(".safetensors")
        for data in args.data:
            result = evaluate(bundle, data, args.split)
            report["runs"].append({"model": f"{name} ({bundle.meta['model']})", "data": data, **result})
            frame = result["frame"]
            print(
                f"{name} on {data}: frame F1 {_fmt(frame['f1'])}, AUC {_fmt(frame['roc_auc'])}",
                flush=True,
            )
    out = Path(args.out)
    plots = write_plots(out, report)
    write_text_atomic(out / "report.json", json.dumps(report, indent=2) + "\n")
    write_text_atomic(out / "report.md", markdown(report) + "".join(f"\n![{p}]({p})\n" for p in plots))
    print(f"report: {out / 'report.md'} and report.json, plots: {', '.join(plots)}")
    return 0
