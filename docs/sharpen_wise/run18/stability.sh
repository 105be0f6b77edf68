#!/usr/bin/env bash
# The chosen interpolation at its run's last three checkpoints: run 16 at steps 324 / 648 (900: the one
# interpolated), each exported flip-averaged and interpolated with run 14 at the chosen a, with its own
# thresholds, on the real media (measured after the choice). Run from the repository root after make.sh:
#
#   bash docs/sharpen_wise/run18/stability.sh A    # e.g. 0.15; run 16 was runs/lightning_logs/version_4
set -euo pipefail
A=${1:?the share a of run 16}
RUN14=${2:-data/bundles/run14/default_sbi_mobilenet_v2.json}
for step in 324 648; do
  forgeloc export runs/lightning_logs/version_4/checkpoints/every-step=$step.ckpt \
    --out data/bundles/run16_$step --half --flip-average
  forgeloc interpolate "$RUN14" data/bundles/run16_$step.json --alpha "$A" --out data/bundles/run18_$step --half
  forgeloc thresholds data/bundles/run18_$step --data data/sbi_val160_soft --split val --max-real-flagged 0.05
  python benchmarks/real_deepfakes.py --model data/bundles/run18_$step.json --skip-face-videos \
    --json data/run18_$step.json
done
