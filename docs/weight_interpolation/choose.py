"""Apply run 9's rule (docs/weight_interpolation/make.sh) to its measurements and print the table.

    python docs/weight_interpolation/choose.py REPORT_JSON SCENE_JSON [CANDIDATE_PREFIX]

REPORT_JSON is `forgeloc eval`'s report.json over the five held-out draws, SCENE_JSON the one
benchmarks/scene_false_alarms.py wrote; models are matched by their bundle's name. The reference is the
bundled default (run 8 for run 9's rule), the candidates are the bundles whose name starts with
CANDIDATE_PREFIX (wise_ unless given; runs 10 and 11, through docs/default_model_eval/candidate.sh,
name their one candidate). Of the candidates that pass, the first by name wins (wise_040 < wise_050 < ...).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REFERENCE = "default_sbi_mobilenet_v2"
FAR = ("face 45 px wide", "face 35 px wide")
SOFT = ("face out of focus 2 %", "face out of focus 3 %")
AUC_MARGIN, FLAGGED_MARGIN = 0.01, 0.02


def figures(report: dict, scene: dict) -> dict:
    """{bundle name: {"aucs": {draw: frame AUC}, "auc": mean, "far": share, "soft": share}}."""
    rows: dict = {}
    for run in report["runs"]:
        name = run["model"].split(" (")[0]
        rows.setdefault(name, {"aucs": {}})["aucs"][Path(run["data"]).name] = run["frame"]["roc_auc"]
    for path, conditions in scene.items():
        row = rows[Path(path).stem]
        row["auc"] = sum(row["aucs"].values()) / len(row["aucs"])
        row["far"] = sum(conditions[c]["flagged"] for c in FAR) / len(FAR)
        row["soft"] = sum(conditions[c]["flagged"] for c in SOFT) / len(SOFT)
    return rows


def choose(rows: dict, prefix: str = "wise_") -> tuple[str, dict]:
    """The first candidate by name (for run 9: the smallest alpha) that meets (a)-(c) against the
    reference, else the reference; and each candidate's verdicts."""
    ref = rows[REFERENCE]
    verdicts = {
        name: {
            "a": row["auc"] >= ref["auc"] - AUC_MARGIN,
            "b": row["far"] <= ref["far"] + FLAGGED_MARGIN,
            "c": row["soft"] <= ref["soft"] + FLAGGED_MARGIN,
        }
        for name, row in rows.items()
        if name.startswith(prefix)
    }
    passing = sorted(name for name, v in verdicts.items() if all(v.values()))  # wise_040 < wise_050 < ...
    return (passing[0] if passing else REFERENCE), verdicts


def main(report_path: str, scene_path: str, prefix: str = "wise_") -> int:
    rows = figures(json.loads(Path(report_path).read_text()), json.loads(Path(scene_path).read_text()))
    chosen, verdicts = choose(rows, prefix)
    draws = list(rows[REFERENCE]["aucs"])
    print(
        f"| model | {' | '.join(draws)} | mean AUC (a) | far flagged (b) | out of focus flagged (c) | rule |"
    )
    print("|" + " --- |" * (len(draws) + 5))
    for name, row in sorted(rows.items()):
        rule = (
            "reference"
            if name == REFERENCE
            else "".join(k if ok else "-" for k, ok in verdicts.get(name, {}).items()) or "endpoint"
        )
        aucs = " | ".join(f"{row['aucs'][d]:.3f}" for d in draws)
        print(f"| {name} | {aucs} | {row['auc']:.4f} | {row['far']:.1%} | {row['soft']:.1%} | {rule} |")
    print(f"\nchosen: {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
