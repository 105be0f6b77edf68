"""Apply run 15's rule (configs/sbi_mobilenet_v2_sharp.yaml, fixed before it trained) and print the table;
runs 16 and 17 are judged by the same rule, 17 on its own target conditions.

    python docs/sharpen/choose.py REPORT_JSON SCENE_JSON CANDIDATE [TARGET]

REPORT_JSON is `forgeloc eval`'s report.json over the five held-out draws, SCENE_JSON the one
benchmarks/scene_false_alarms.py wrote, CANDIDATE the candidate bundle's name, TARGET which conditions (f)
asks fewer false alarms on (TARGETS: "sharpened", the default, "edge" or "denoised"); the reference is the bundled
default. The candidate replaces it only if all hold:
(a) its mean frame AUC over the five draws is at least the reference's less 0.01;
(b) its AUC on the cross-identity swaps is at least the reference's less 0.01;
(c) far faces, (d) faces out of focus (each the mean of its two conditions) and (e) faces as photographed
    are flagged at most 1 point more often;
(f) its mean share flagged over the target conditions is lower by at least the target's gain (sharpened:
    the two sharpened conditions, 5 points; edge: the four faces at the frame's edge, 3 points; denoised:
    the three faces smoothed edge-preservingly, 5 points).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "weight_interpolation"))
from choose import REFERENCE, figures  # noqa: E402

SHARPENED = ("sharpened: unsharp 0.5", "sharpened: unsharp 1.5")
EDGE = (
    "face at the frame's left edge",
    "face 80 % in the frame",
    "face 60 % in the frame",
    "face 80 % in the frame, forehead cut by the top",
)
DENOISED = ("denoised: bilateral 30", "denoised: bilateral 60", "denoised: non-local means 15")
TARGETS = {
    "sharpened": (SHARPENED, 0.05),
    "edge": (EDGE, 0.03),
    "denoised": (DENOISED, 0.05),
}  # (f)'s conditions and gain
SWAPS = "swap_test160_footage"
AUC_MARGIN, FLAGGED_MARGIN = 0.01, 0.01


def verdict(row: dict, ref: dict, gain: float) -> dict[str, bool]:
    return {
        "a": row["auc"] >= ref["auc"] - AUC_MARGIN,
        "b": row["aucs"][SWAPS] >= ref["aucs"][SWAPS] - AUC_MARGIN,
        "c": row["far"] <= ref["far"] + FLAGGED_MARGIN,
        "d": row["soft"] <= ref["soft"] + FLAGGED_MARGIN,
        "e": row["photographed"] <= ref["photographed"] + FLAGGED_MARGIN,
        "f": row["lower"] <= ref["lower"] - gain,
    }


def main(argv: list[str]) -> int:
    report, scene = (json.loads(Path(p).read_text()) for p in argv[:2])
    candidate = argv[2]
    label = argv[3] if len(argv) > 3 else "sharpened"
    target, gain = TARGETS[label]
    rows = figures(report, scene, lower=target)
    for path, conditions in scene.items():
        rows[Path(path).stem]["photographed"] = conditions["as photographed"]["flagged"]
    ref, row = rows[REFERENCE], rows[candidate]
    checks = verdict(row, ref, gain)
    draws = list(ref["aucs"])
    print(
        f"| model | {' | '.join(draws)} | mean AUC (a) | far flagged (c) | out of focus flagged (d) "
        f"| as photographed flagged (e) | {label} flagged (f) | rule |"
    )
    print("|" + " --- |" * (len(draws) + 7))
    for name, figures_of, rule in ((REFERENCE, ref, "reference"), (candidate, row, "")):
        rule = rule or "".join(k if ok else "-" for k, ok in checks.items())
        aucs = " | ".join(f"{figures_of['aucs'][d]:.3f}" for d in draws)
        print(
            f"| {name} | {aucs} | {figures_of['auc']:.4f} | {figures_of['far']:.1%} | {figures_of['soft']:.1%} "
            f"| {figures_of['photographed']:.1%} | {figures_of['lower']:.1%} | {rule} |"
        )
    print(f"\nchosen: {candidate if all(checks.values()) else REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
