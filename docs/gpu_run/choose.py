"""Apply run 21's rule (configs/sbi_mobilenet_v2_gpu.yaml, committed before it trained) and print the table.

    python docs/gpu_run/choose.py REPORT_JSON SCENE_JSON

REPORT_JSON is `forgeloc eval`'s report.json over the five fresh held-out draws (seed 4) of the bundled
default (run 20) and run 21's last three saved checkpoints (run21_STEP, each flip-averaged at its own
thresholds); SCENE_JSON is benchmarks/scene_false_alarms.py's over the default and run 21's last
checkpoint. Run 21 replaces run 20 only if all hold:
(a) its mean frame AUC over the five draws is at least run 20's;
(b) its AUC on the cross-identity swaps at least run 20's less 0.01;
(c) far faces, (d) faces out of focus (each the mean of its two conditions), (e) faces as photographed and
    (f) the three denoised conditions (their mean) flagged at most run 20's + 1 point;
(g) the mean frame AUCs of its last three saved checkpoints within 0.05 of each other.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "weight_interpolation"))
from choose import REFERENCE, figures  # noqa: E402

DENOISED = ("denoised: bilateral 30", "denoised: bilateral 60", "denoised: non-local means 15")
SWAPS = "swap_test160_footage"
AUC_MARGIN, FLAGGED_MARGIN, SPREAD = 0.01, 0.01, 0.05


def mean_aucs(report: dict) -> dict[str, float]:
    """{bundle name: mean frame AUC over the report's draws}."""
    aucs: dict[str, list[float]] = {}
    for run in report["runs"]:
        aucs.setdefault(run["model"].split(" (")[0], []).append(run["frame"]["roc_auc"])
    return {name: sum(values) / len(values) for name, values in aucs.items()}


def main(argv: list[str]) -> int:
    report, scene = (json.loads(Path(p).read_text()) for p in argv[:2])
    means = mean_aucs(report)
    steps = sorted((int(m.group(1)), name) for name in means if (m := re.fullmatch(r"run21_(\d+)", name)))
    candidate = steps[-1][1]
    rows = figures(report, scene, lower=DENOISED)
    for path, conditions in scene.items():
        rows[Path(path).stem]["photographed"] = conditions["as photographed"]["flagged"]
    ref, row = rows[REFERENCE], rows[candidate]
    last_three = [means[name] for _, name in steps[-3:]]
    checks = {
        "a": row["auc"] >= ref["auc"],
        "b": row["aucs"][SWAPS] >= ref["aucs"][SWAPS] - AUC_MARGIN,
        "c": row["far"] <= ref["far"] + FLAGGED_MARGIN,
        "d": row["soft"] <= ref["soft"] + FLAGGED_MARGIN,
        "e": row["photographed"] <= ref["photographed"] + FLAGGED_MARGIN,
        "f": row["lower"] <= ref["lower"] + FLAGGED_MARGIN,
        "g": len(last_three) == 3 and max(last_three) - min(last_three) <= SPREAD,
    }
    draws = list(ref["aucs"])
    print(
        f"| model | {' | '.join(draws)} | mean AUC (a) | far flagged (c) | out of focus flagged (d) "
        "| as photographed flagged (e) | denoised flagged (f) | rule |"
    )
    print("|" + " --- |" * (len(draws) + 7))
    for name, figures_of, rule in ((REFERENCE, ref, "reference"), (candidate, row, "")):
        rule = rule or "".join(k if ok else "-" for k, ok in checks.items())
        aucs = " | ".join(f"{figures_of['aucs'][d]:.3f}" for d in draws)
        print(
            f"| {name} | {aucs} | {figures_of['auc']:.4f} | {figures_of['far']:.1%} | {figures_of['soft']:.1%} "
            f"| {figures_of['photographed']:.1%} | {figures_of['lower']:.1%} | {rule} |"
        )
    spread = ", ".join(f"{name} {means[name]:.4f}" for _, name in steps[-3:])
    print(f"\n(g) mean frame AUC of the last three saved checkpoints: {spread}")
    print(f"\nchosen: {candidate if all(checks.values()) else REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
