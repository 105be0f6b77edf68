#!/usr/bin/env bash
# The chosen interpolation at its run's last three checkpoints: run 19 at steps 324 / 648 (900: the one
# interpolated), each exported flip-averaged and interpolated with run 18 at the chosen a, with its own
# thresholds, on the real media (measured after the choice). Run from the repository root after make.sh:
#
#   bash docs/denoise/run20/stability.sh A [RUN18_BUNDLE] [RUN19_LOGS]
#     # e.g. 0.5; run 19 was runs/lightning_logs/version_0; run 18 is in git at b85b1df
set -euo pipefail
A=${1:?the share a of run 19}
RUN18=${2:-data/bundles/run18/default_sbi_mobilenet_v2.json}
LOGS=${3:-runs/lightning_logs/version_0}
if [ ! -f "$RUN18" ]; then
  mkdir -p "$(dirname "$RUN18")"
  git show b85b1df:localize/assets/default_sbi_mobilenet_v2.json > "$RUN18"
  git show b85b1df:localize/assets/default_sbi_mobilenet_v2.safetensors > "${RUN18%.json}.safetensors"
fi
for step in 324 648; do
  forgeloc export "$LOGS/checkpoints/every-step=$step.ckpt" --out data/bundles/run19_$step --half --flip-average
  forgeloc interpolate "$RUN18" data/bundles/run19_$step.json --alpha "$A" --out data/bundles/run20_$step --half
  forgeloc thresholds data/bundles/run20_$step --data data/sbi_val160_soft --split val --max-real-flagged 0.05
  python benchmarks/real_deepfakes.py --model data/bundles/run20_$step.json --skip-face-videos \
    --json data/run20_$step.json
done
