#!/usr/bin/env bash
# Run 9 at its last three checkpoints: run 8 at steps 324 / 648 (900: the default) interpolated at 0.9 with
# the frozen-encoder run at steps 2,268 / 2,592 (2,800), each with its own thresholds, on the real media
# (measured after the choice). Run from the repository root after make.sh and run 8's checkpoint bundles.
set -euo pipefail
for pair in "2268 324" "2592 648"; do
  set -- $pair
  forgeloc export runs/lightning_logs/version_4/checkpoints/every-step=$1.ckpt --out data/bundles/frozenenc_$1 --half
  forgeloc interpolate data/bundles/frozenenc_$1.json data/bundles/run8_$2.json --alpha 0.9 --out data/bundles/run9_$2 --half
  forgeloc thresholds data/bundles/run9_$2 --data data/sbi_val160_soft --split val --max-real-flagged 0.05
  python benchmarks/real_deepfakes.py --model data/bundles/run9_$2.json --json data/run9_$2.json
done
