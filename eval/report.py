"""The evaluation report: one set of tables and plots from report.json, written as report.md (next to
the PNGs) and as a self-contained report.html (PNGs embedded)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

from eval.plots import attack_png, curves_png, degradation_png
from localize.common.atomic import write_bytes_atomic, write_text_atomic
from localize.report.templating import html_environment

LEVELS = (
    ("frame", "Frames"),
    ("video_majority", "Videos, majority vote (the seed's rule)"),
    ("video_mean", "Videos, mean score"),
)


@dataclass(frozen=True)
class Table:
    """One table, rendered the same way in Markdown and HTML."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass
class Section:
    """A heading with its explanation, tables and PNG file names."""

    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)


def fmt(value) -> str:
    """Three decimals; '-' for a missing or undefined figure."""
    return "-" if value is None or value != value else f"{value:.3f}"


def with_interval(value, bounds) -> str:
    """'0.924 [0.902, 0.944]'; the value alone where no interval was computed (older reports)."""
    if not bounds or bounds[0] != bounds[0]:
        return fmt(value)
    return f"{fmt(value)} [{fmt(bounds[0])}, {fmt(bounds[1])}]"


def _comparison_section(report: dict) -> Section:
    rows = [
        (
            c["data"],
            c["model"],
            c["reference"],
            f"{c['difference']:+.3f}",
            f"[{c['ci'][0]:+.3f}, {c['ci'][1]:+.3f}]",
        )
        for c in report["comparisons"]
    ]
    table = Table(
        "Paired differences", ("data", "model", "minus", "frame ROC-AUC difference", "95 % CI"), rows
    )
    text = (
        "Each model against the first one evaluated on the same data, on the same bootstrap resamples of "
        "whole videos (1,000). An interval that holds 0 means the data cannot tell the two apart."
    )
    return Section("Paired differences", text, [table])


def _short(path: str) -> str:
    return path.rstrip("/").split("/")[-1]


def _main_sections(report: dict) -> list[Section]:
    runs = report["runs"]
    pixel = Table(
        "Segmentation (pixel)",
        ("model", "data", "images", "Dice (mean)", "IoU (mean)", "Dice (dataset)", "IoU (dataset)"),
        [
            (r["model"], r["data"], str(r["pixel"]["images"]))
            + tuple(fmt(r["pixel"][k]) for k in ("dice_mean", "iou_mean", "dice_dataset", "iou_dataset"))
            for r in runs
            if "pixel" in r
        ],
    )
    sections = []
    if pixel.rows:
        text = (
            "Per-image mean and dataset-wide (pixels summed). An empty prediction on an empty mask scores 1."
        )
        sections.append(Section("Segmentation (pixel)", text, [pixel]))
    for level, title in LEVELS:
        header = (
            "model",
            "data",
            "n",
            "precision",
            "recall",
            "F1",
            "accuracy",
            "ROC-AUC [95 % CI]",
            "PR-AUC",
            "EER",
        )
        rows = [
            (r["model"], r["data"], str(r[level]["count"]))
            + tuple(fmt(r[level][k]) for k in ("precision", "recall", "f1", "accuracy"))
            + (with_interval(r[level]["roc_auc"], r[level].get("roc_auc_ci")),)
            + tuple(fmt(r[level][k]) for k in ("pr_auc", "eer"))
            for r in runs
        ]
        confusion = Table(
            "Confusion [[TN, FP], [FN, TP]]",
            ("model", "data", "TN", "FP", "FN", "TP"),
            [(r["model"], r["data"], *(str(v) for row in r[level]["confusion"] for v in row)) for r in runs],
        )
        sections.append(Section(title, tables=[Table(title, header, rows), confusion]))
    thresholds = Table(
        "Thresholds",
        ("model", "threshold", "min region px", "min fake fraction"),
        list(
            dict.fromkeys(
                (
                    r["model"],
                    str(r["thresholds"]["threshold"]),
                    str(r["thresholds"]["min_region_px"]),
                    str(r["thresholds"]["min_fake_fraction"]),
                )
                for r in runs
            )
        ),
    )
    sections.append(
        Section("Thresholds used", "Each bundle's own, found by `forgeloc thresholds`.", [thresholds])
    )
    return sections


def _robustness_section(report: dict) -> Section:
    section = Section(
        "Robustness",
        "Frame F1 and ROC-AUC and dataset-wide pixel Dice with every test crop perturbed "
        "(H.264: each crop as a one-frame clip; rotation turns the true mask too).",
    )
    for item in report["robustness"]:
        rows = [
            (r["perturbation"], fmt(r["frame_f1"]), fmt(r["frame_auc"]), fmt(r["dice"])) for r in item["rows"]
        ]
        title = f"{item['model']} on {_short(item['data'])}"
        section.tables.append(Table(title, ("perturbation", "frame F1", "frame AUC", "Dice"), rows))
    return section


def _adversarial_section(report: dict) -> Section:
    config = report["adversarial_config"]
    section = Section(
        "Adversarial",
        f"L-inf FGSM and PGD ({config['pgd_steps']} steps) pushing fake crops towards real; "
        f"{config['frames']} fake test frames per run. Success rate (seed 000): the share of attacked fake "
        "frames the model then calls real; 'clean' is the share it calls real with no attack, after the same "
        "re-compression. The summary gives the strongest attack (FGSM or PGD) at each radius.",
    )
    eps = sorted({r["eps"] for item in report["adversarial"] for r in item["rows"]})
    summary = []
    for item in report["adversarial"]:
        keys = dict.fromkeys((r["source"], r["recompress"]) for r in item["rows"])
        for source, condition in keys:
            best = [
                max(
                    (
                        r["success_rate"]
                        for r in item["rows"]
                        if (r["source"], r["recompress"], r["eps"]) == (source, condition, e)
                    ),
                    default=None,
                )
                for e in eps
            ]
            clean = next(r["clean_real_rate"] for r in item["rows"] if r["recompress"] == condition)
            model = f"{item['model']} on {_short(item['data'])}"
            summary.append((model, source, condition, fmt(clean), *(fmt(b) for b in best)))
    header = ("model", "crafted on", "re-compression", "clean", *(f"{e:g}/255" for e in eps))
    section.tables.append(Table("Summary: success rate of the strongest attack", header, summary))
    for item in report["adversarial"]:
        rows = [
            (
                r["source"],
                r["attack"],
                f"{r['eps']:g}/255",
                r["recompress"],
                fmt(r["success_rate"]),
                fmt(r["clean_real_rate"]),
            )
            for r in item["rows"]
        ]
        title = f"{item['model']} on {_short(item['data'])}"
        header = ("crafted on", "attack", "eps", "re-compression", "success rate", "clean")
        section.tables.append(Table(title, header, rows))
    return section


def _cross_section(report: dict) -> Section:
    cross = report["cross_dataset"]
    section = Section(
        "Cross-dataset",
        "Each model trained on the row's dataset, tested on the column's test split "
        "(thresholds searched on the training dataset's validation split).",
    )
    names = cross["datasets"]
    for metric, label in (("frame_auc", "frame ROC-AUC"), ("frame_f1", "frame F1"), ("dice", "pixel Dice")):
        for model, matrix in cross["matrices"].items():
            rows = [(train, *(fmt(matrix[train][test][metric]) for test in names)) for train in names]
            if all(cell == "-" for row in rows for cell in row[1:]):
                continue
            section.tables.append(Table(f"{model}: {label}", ("trained on \\ tested on", *names), rows))
    return section


def write_plots(out: Path, report: dict) -> dict[str, list[str]]:
    """Every PNG of the report, written to `out`; their file names by section title."""
    plots: dict[str, list[str]] = {}

    def save(section: str, name: str, png: bytes) -> None:
        write_bytes_atomic(out / name, png)
        plots.setdefault(section, []).append(name)

    datasets = list(dict.fromkeys(run["data"] for run in report.get("runs", [])))
    for number, data in enumerate(datasets, start=1):
        runs = [run for run in report["runs"] if run["data"] == data]
        for kind in ("roc", "pr"):
            save("Frames", f"{kind}_{number}.png", curves_png(runs, kind))
    for number, item in enumerate(report.get("robustness", []), start=1):
        title = f"{item['model']} on {_short(item['data'])}"
        save("Robustness", f"robustness_{number}.png", degradation_png(title, item["rows"]))
    for number, item in enumerate(report.get("adversarial", []), start=1):
        title = f"{item['model']} on {_short(item['data'])}"
        save("Adversarial", f"adversarial_{number}.png", attack_png(title, item["rows"]))
    return plots


def sections(report: dict, plots: dict[str, list[str]]) -> list[Section]:
    """The report's sections in reading order, each with its plots."""
    found = _main_sections(report) if report.get("runs") else []
    if report.get("comparisons"):
        found.append(_comparison_section(report))
    if report.get("robustness"):
        found.append(_robustness_section(report))
    if report.get("adversarial"):
        found.append(_adversarial_section(report))
    if report.get("cross_dataset"):
        found.append(_cross_section(report))
    if report.get("failures"):
        table = Table("Failed runs", ("model on dataset: reason",), [(f,) for f in report["failures"]])
        found.insert(
            0,
            Section("Failed runs", "These runs stopped with an error; every other run is complete.", [table]),
        )
    if report.get("provenance"):
        rows = [(item["kind"], item["path"], item["sha256"]) for item in report["provenance"]]
        table = Table("Provenance", ("what", "path", "SHA-256"), rows)
        found.append(Section("Provenance", "Model weights and dataset manifests, by checksum.", [table]))
    for section in found:
        section.plots = plots.get(section.title, [])
    return found


def markdown(report: dict, parts: list[Section]) -> str:
    lines = [
        f"# forgeloc evaluation ({report['split']} split)",
        "",
        f"forgeloc {report['version']}, {report['created']}",
        "",
    ]
    if report.get("command"):
        lines += ["```", report["command"], "```", ""]
    for section in parts:
        lines += [f"## {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        for table in section.tables:
            if table.title != section.title:
                lines += [f"### {table.title}", ""]
            lines.append("| " + " | ".join(table.header) + " |")
            lines.append("|" + " --- |" * len(table.header))
            lines += ["| " + " | ".join(row) + " |" for row in table.rows]
            lines.append("")
        lines += [f"![{name}]({name})\n" for name in section.plots]
    return "\n".join(lines)


def html(report: dict, parts: list[Section], out: Path) -> str:
    """One offline page: the same sections, PNGs inlined as data URIs."""
    images = {
        name: base64.b64encode((out / name).read_bytes()).decode("ascii")
        for section in parts
        for name in section.plots
    }
    environment = html_environment("eval")
    return environment.get_template("report.html.j2").render(report=report, sections=parts, images=images)


def write_report(out: str | Path, report: dict) -> list[Path]:
    """report.json, report.md, report.html and the PNGs in `out`; the paths of the three reports."""
    out = Path(out)
    plots = write_plots(out, report)
    parts = sections(report, plots)
    paths = [out / "report.json", out / "report.md", out / "report.html"]
    write_text_atomic(paths[0], json.dumps(report, indent=2) + "\n")
    write_text_atomic(paths[1], markdown(report, parts))
    write_text_atomic(paths[2], html(report, parts, out))
    return paths
