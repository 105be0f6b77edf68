"""Choose make_mask's default threshold: mean Dice against exact masks over a threshold grid.

Run: python benchmarks/calibrate_mask_threshold.py [--clips 32] [--seed 0]
Prints one row per threshold (and for "auto") with the mean Dice under each compression condition.
"""

from __future__ import annotations

import argparse

from mask_gen.core import MaskConfig
from mask_gen.synth.calibration import CONDITIONS, degraded, mean_dice, synthetic_clips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--thresholds", default="6,8,10,12,14,16,18,20,22,25,28,32,36,40")
    args = parser.parse_args()
    clips = synthetic_clips(args.clips, seed=args.seed)
    sets = {condition: degraded(clips, condition) for condition in CONDITIONS}
    candidates: list[float | str] = [float(t) for t in args.thresholds.split(",")] + ["auto"]
    print("threshold | " + " | ".join(CONDITIONS) + " | mean")
    for threshold in candidates:
        config = MaskConfig(threshold=threshold)
        scores = [mean_dice(sets[condition], config) for condition in CONDITIONS]
        cells = " | ".join(f"{score:.3f}" for score in scores)
        print(f"{threshold} | {cells} | {sum(scores) / len(scores):.3f}")


if __name__ == "__main__":
    main()
