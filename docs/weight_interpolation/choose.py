"""Apply run 9's rule (docs/weight_interpolation/make.sh) to its measurements and print the table.

    python docs/weight_interpolation/choose.py REPORT_JSON SCENE_JSON [CANDIDATE_PREFIX] [--seen DRAW]...
        [--min-gain G]

REPORT_JSON is `forgeloc eval`'s report.json over the five held-out draws, SCENE_JSON the one
benchmarks/scene_false_alarms.py wrote; models are matched by their bundle's name. The reference is the
bundled default (run 8 for run 9's rule), the candidates are the bundles whose name starts with
CANDIDATE_PREFIX (wise_ unless given; runs 10 and 11, through docs/default_model_eval/candidate.sh,
name their one candidate). Of the candidates that pass, the first by name wins (wise_040 < wise_050 < ...).

`--seen DRAW` (run 12: swap_test160_footage) names a held-out draw whose kind of forgery the candidate's
training made in another way: it leaves (a)'s mean, and (d) asks the candidate's AUC on it to be higher
than the reference's.

`--lower CONDITION` (run 14: the two "coded hard" conditions) names benchmarks/scene_false_alarms.py
conditions the candidate was trained for: (d) asks its mean share flagged over them to be lower than the
reference's. (`--seen` and `--lower` are not given together.)

`--min-gain G` (default -0.01) is (a)'s bar: the candidate's mean AUC at least the reference's + G. A
candidate that costs more to run must pay for it (flip averaging: +0.003).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REFERENCE = "default_sbi_mobilenet_v2"
FAR = ("face 45 px wide", "face 35 px wide")
SOFT = ("face out of focus 2 %", "face out of focus 3 %")
AUC_MARGIN, FLAGGED_MARGIN = 0.01, 0.02


def figures(report: dict, scene: dict, seen: tuple[str, ...] = (), lower: tuple[str, ...] = ()) -> dict:
    """{bundle name: {"aucs": {draw: frame AUC}, "auc": mean over the draws not `seen`, "far": share,
    "soft": share, "lower": share over the `lower` conditions (when given)}}."""
    rows: dict = {}
    for run in report["runs"]:
        name = run["model"].split(" (")[0]
        rows.setdefault(name, {"aucs": {}})["aucs"][Path(run["data"]).name] = run["frame"]["roc_auc"]
    for path, conditions in scene.items():
        row = rows[Path(path).stem]
        unseen = [auc for draw, auc in row["aucs"].items() if draw not in seen]
        row["auc"] = sum(unseen) / len(unseen)
        row["far"] = sum(conditions[c]["flagged"] for c in FAR) / len(FAR)
        row["soft"] = sum(conditions[c]["flagged"] for c in SOFT) / len(SOFT)
        if lower:
            row["lower"] = sum(conditions[c]["flagged"] for c in lower) / len(lower)
    return rows


def verdict(
    row: dict,
    ref: dict,
    seen: tuple[str, ...] = (),
    min_gain: float = -AUC_MARGIN,
    lower: tuple[str, ...] = (),
) -> dict[str, bool]:
    """(a)-(c) of a candidate's figures against the reference's, and (d) when draws are `seen` or
    conditions are to be `lower`."""
    checks = {
        "a": row["auc"] >= ref["auc"] + min_gain,
        "b": row["far"] <= ref["far"] + FLAGGED_MARGIN,
        "c": row["soft"] <= ref["soft"] + FLAGGED_MARGIN,
    }
    if seen:
        checks["d"] = all(row["aucs"][draw] > ref["aucs"][draw] for draw in seen)
    if lower:
        checks["d"] = row["lower"] < ref["lower"]
    return checks


def choose(
    rows: dict,
    prefix: str = "wise_",
    seen: tuple[str, ...] = (),
    min_gain: float = -AUC_MARGIN,
    lower: tuple[str, ...] = (),
) -> tuple[str, dict]:
    """The first candidate by name (for run 9: the smallest alpha) that meets (a)-(c), and (d) when
    draws are `seen`, against the reference, else the reference; and each candidate's verdicts."""
    ref = rows[REFERENCE]
    verdicts = {
        name: verdict(row, ref, seen, min_gain, lower)
        for name, row in rows.items()
        if name.startswith(prefix)
    }
    passing = sorted(name for name, v in verdicts.items() if all(v.values()))  # wise_040 < wise_050 < ...
    return (passing[0] if passing else REFERENCE), verdicts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report")
    parser.add_argument("scene")
    parser.add_argument("prefix", nargs="?", default="wise_")
    parser.add_argument("--seen", action="append", default=[], help="a draw judged by (d), not (a)")
    parser.add_argument(
        "--min-gain", type=float, default=-AUC_MARGIN, help="(a): mean AUC >= reference's + G"
    )
    parser.add_argument("--lower", action="append", default=[], help="a scene condition (d) asks lower")
    args = parser.parse_args(argv)
    seen, lower = tuple(args.seen), tuple(args.lower)
    if seen and lower:
        parser.error("--seen and --lower both define (d): give one")
    report, scene = (json.loads(Path(p).read_text()) for p in (args.report, args.scene))
    rows = figures(report, scene, seen, lower)
    chosen, verdicts = choose(rows, args.prefix, seen, args.min_gain, lower)
    draws = list(rows[REFERENCE]["aucs"])
    mean = "mean AUC (a)" if not seen else f"mean AUC without {', '.join(seen)} (a)"
    seen_head = " | AUC gain on it (d)" if seen else (f" | {' / '.join(lower)} flagged (d)" if lower else "")
    print(
        f"| model | {' | '.join(draws)} | {mean} | far flagged (b) | out of focus flagged (c){seen_head} | rule |"
    )
    print("|" + " --- |" * (len(draws) + 5 + bool(seen or lower)))
    for name, row in sorted(rows.items()):
        rule = (
            "reference"
            if name == REFERENCE
            else "".join(k if ok else "-" for k, ok in verdicts.get(name, {}).items()) or "endpoint"
        )
        aucs = " | ".join(f"{row['aucs'][d]:.3f}" for d in draws)
        gain = ""
        if seen:
            ref = rows[REFERENCE]["aucs"]
            gain = " | " + ", ".join(f"{row['aucs'][d] - ref[d]:+.3f}" for d in seen)
        if lower:
            gain = f" | {row['lower']:.1%}"
        print(f"| {name} | {aucs} | {row['auc']:.4f} | {row['far']:.1%} | {row['soft']:.1%}{gain} | {rule} |")
    print(f"\nchosen: {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
