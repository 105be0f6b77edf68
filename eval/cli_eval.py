"""`forgeloc eval --model B [--model B2 ...] --data D [--data D2 ...] --out DIR`: report.md, report.html and
report.json with the pixel, frame and video tables of every model on every dataset at each bundle's
thresholds; `--robustness` and `--attack` add the perturbation and adversarial suites; `--cross CONFIG`
runs the cross-dataset matrix instead."""

from __future__ import annotations

import argparse
import datetime
import shlex
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", default=[], help="model bundle (repeatable)")
    parser.add_argument("--data", action="append", default=[], help="mask-gen dataset (repeatable)")
    parser.add_argument("--split", default="test", help="split to evaluate (default test)")
    parser.add_argument("--out", required=True, help="folder for the reports and plots")
    parser.add_argument(
        "--robustness",
        nargs="?",
        const="default",
        metavar="SUITE",
        help="re-evaluate under perturbations: 'default' (JPEG 90/70/50/30, H.264 CRF 23/32/40, blur 3/9/15, "
        "noise 5/10/20, resize 0.5/1.5, rotation 5/15) or a list like jpeg:50,blur:9",
    )
    parser.add_argument("--attack", action="store_true", help="run FGSM and PGD against every model")
    parser.add_argument(
        "--surrogate", action="append", default=[], help="bundle to craft transfer attacks on"
    )
    # the attack settings default to None so that one given without --attack / --surrogate is caught
    parser.add_argument("--eps", help="attack radii in grey levels of 255 (default 1,2,4,8)")
    parser.add_argument("--attack-frames", type=int, help="fake test frames attacked (default 32)")
    parser.add_argument("--pgd-steps", type=int, help="PGD iterations (default 20)")
    parser.add_argument(
        "--recompress",
        help="judge attacks after these (default none,jpeg:75,h264:23; kind:level as --robustness)",
    )
    parser.add_argument(
        "--runtime",
        choices=["torch", "onnx"],
        default="torch",
        help="onnx: evaluate each bundle's NAME.onnx with onnxruntime (an int8 export, say); attacks are "
        "still crafted on the PyTorch model",
    )
    parser.add_argument(
        "--cross", metavar="CONFIG", help="cross-dataset YAML (see configs/cross_dataset.yaml)"
    )


def _name(path: str, bundle) -> str:
    return f"{Path(path).name.removesuffix('.json').removesuffix('.safetensors')} ({bundle.meta['model']})"


def provenance(models: list[str], datasets: list[str], runtime: str = "torch") -> list[dict]:
    """What was evaluated, by checksum: each bundle's weights (its ONNX model when that ran) and each
    dataset's manifest."""
    from localize.common.checksum import sha256_of
    from localize.inference.bundle import bundle_paths
    from localize.inference.onnx_runtime import onnx_path

    items = []
    for path in models:
        json_path, weights = bundle_paths(path)
        if runtime == "onnx":
            items.append(
                {
                    "kind": "model",
                    "path": str(onnx_path(json_path)),
                    "sha256": sha256_of(onnx_path(json_path)),
                }
            )
        else:
            items.append({"kind": "model", "path": str(json_path), "sha256": sha256_of(weights)})
    for path in datasets:
        manifest = Path(path) / "manifest.csv"
        items.append(
            {
                "kind": "dataset",
                "path": str(manifest),
                "sha256": sha256_of(manifest),
            }
        )
        faces = _face_detector(Path(path))
        if faces:
            items.append({"kind": "faces found by", "path": faces["detector"], "sha256": faces["sha256"]})
    return items


def _face_detector(root: Path) -> dict | None:
    """The face detector a dataset's crops were found with, as its dataset.json records it."""
    import json

    try:
        found = json.loads((root / "dataset.json").read_text(encoding="utf-8")).get("face_detector")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, dict) and {"detector", "sha256"} <= set(found) else None


# AttackConfig field: its flag
ATTACK_SETTINGS = {
    "eps": "--eps",
    "pgd_steps": "--pgd-steps",
    "frames": "--attack-frames",
    "recompress": "--recompress",
}


def _attack_config(args: argparse.Namespace):
    """The attack settings given (AttackConfig's defaults for the rest); None without --attack or
    --surrogate, when giving any of them is refused rather than ignored."""
    from eval.adversarial import AttackConfig
    from localize.common.errors import ConfigError

    given = {field: getattr(args, flag[2:].replace("-", "_")) for field, flag in ATTACK_SETTINGS.items()}
    given = {field: value for field, value in given.items() if value is not None}
    if not (args.attack or args.surrogate):
        if given:
            flags = ", ".join(ATTACK_SETTINGS[key] for key in given)
            raise ConfigError(f"{flags} only apply with --attack or --surrogate")
        return None
    if "eps" in given:
        try:
            given["eps"] = tuple(float(e) for e in args.eps.split(","))
        except ValueError:
            raise ConfigError(f"--eps takes numbers separated by commas, got {args.eps!r}") from None
    if "recompress" in given:
        given["recompress"] = tuple(c.strip() for c in args.recompress.split(","))
    return AttackConfig(**given)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from eval.report import write_report
    from localize import __version__
    from localize.common.errors import ConfigError, ForgelocError

    report = {
        "version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join(["forgeloc", *sys.argv[1:]]) if sys.argv[1:2] == ["eval"] else "",
        "split": args.split,
    }
    if args.cross:
        if args.model or args.data:
            raise ConfigError("--cross trains its own models: give it without --model and --data")
        from eval.cross import run_cross

        report["cross_dataset"] = run_cross(args.cross, Path(args.out) / "runs", args.split)
        paths = write_report(args.out, report)
        print(f"report: {', '.join(str(p) for p in paths)}")
        return 0
    if not args.model or not args.data:
        raise ConfigError("give at least one --model and one --data (or --cross CONFIG)")

    from localize.inference.bundle import load_bundle
    from localize.inference.onnx_runtime import use_onnx
    from mask_gen.manifest import split_rows

    suite = None
    if args.robustness:
        from eval.robustness import parse_suite

        suite = parse_suite(args.robustness)
    attack = _attack_config(args)
    if attack is not None:
        report["adversarial_config"] = asdict(attack)
    for data in args.data:  # a missing manifest or an empty split fails here, before any work
        split_rows(data, args.split)
    bundles = {_name(path, b): b for path in args.model for b in [load_bundle(path)]}
    if args.runtime == "onnx":
        for bundle in bundles.values():
            use_onnx(bundle)
    if len(bundles) < len(args.model):
        raise ConfigError("two --model bundles share a name; give them different file names")
    surrogates = {_name(path, b): b for path in args.surrogate for b in [load_bundle(path)]}
    report.update(
        runs=[],
        comparisons=[],
        robustness=[],
        adversarial=[],
        provenance=provenance(args.model, args.data, args.runtime),
    )
    failures = []
    for name, bundle in bundles.items():
        for data in args.data:
            try:
                _evaluate_one(report, name, bundle, data, args, suite, attack, surrogates)
            except ForgelocError as error:  # that run is reported as failed; the others go on
                failures.append(f"{name} on {data}: {error}")
                print(f"failed: {failures[-1]}", file=sys.stderr, flush=True)
            paths = write_report(args.out, {**report, "failures": failures})  # finished runs are on disk
    print(f"report: {', '.join(str(p) for p in paths)}")
    return 1 if failures else 0


def _evaluate_one(report: dict, name: str, bundle, data: str, args, suite, attack, surrogates: dict) -> None:
    """One model on one dataset: the tables, then the robustness and attack suites asked for."""
    from eval.compare import paired_difference
    from eval.evaluate import evaluate
    from eval.report import fmt

    result = evaluate(bundle, data, args.split, desc=f"{name} on {Path(data).name}")
    run = {"model": name, "data": data, **result}
    reference = next((r for r in report["runs"] if r["data"] == data), None)  # the first model on it
    report["runs"].append(run)
    difference = paired_difference(reference, run) if reference else None
    report["comparisons"] += [difference] if difference else []
    frame = result["frame"]
    print(f"{name} on {data}: frame F1 {fmt(frame['f1'])}, AUC {fmt(frame['roc_auc'])}", flush=True)
    if suite:
        from eval.robustness import robustness

        rows = robustness(bundle, data, args.split, suite, clean=result)
        report["robustness"].append({"model": name, "data": data, "rows": rows})
        worst = min(rows, key=lambda r: r["frame_auc"] if r["frame_auc"] == r["frame_auc"] else 1.0)
        print(f"  robustness: worst frame AUC {fmt(worst['frame_auc'])} under {worst['perturbation']}")
    if attack:
        from eval.adversarial import attack_table

        sources = {"white-box": bundle} if args.attack else {}
        sources.update({f"transfer from {s}": b for s, b in surrogates.items() if s != name})
        rows = attack_table(bundle, data, args.split, attack, sources)
        report["adversarial"].append({"model": name, "data": data, "rows": rows})
        best = max(rows, key=lambda r: r["success_rate"])
        print(
            f"  attacks: highest success rate {fmt(best['success_rate'])} "
            f"({best['attack']} {best['source']}, eps {best['eps']:g}/255, {best['recompress']})"
        )
