#!/usr/bin/env bash
# Run 15: does the default (run 14) fine-tuned with a quarter of its crops sharpened with halos as cameras
# and TVs do (configs/sbi_mobilenet_v2_sharp.yaml; DEGRADE_PRESETS["footage_sharp"]) replace it? The rule
# was written into the run's config and committed before the run started; docs/sharpen/choose.py applies
# it. Run from the repository root after docs/default_model_eval/draws.sh (which draws the five held-out
# test sets), the footage_soft validation draws (data/sbi_val160_soft, docs/model_card.md) and the
# training:
#
#   forgeloc train fit --config configs/sbi_mobilenet_v2_sharp.yaml
#   bash docs/sharpen/make.sh runs/lightning_logs/version_N/checkpoints/last.ckpt   # (2026-12-04: version_3)
#
# Run 16 (configs/sbi_mobilenet_v2_sharp_source.yaml) is judged by the same rule, into its own folder:
#
#   bash docs/sharpen/make.sh runs/lightning_logs/version_N/checkpoints/last.ckpt sharp_source docs/sharpen/run16
#
# Run 19 (configs/sbi_mobilenet_v2_denoised.yaml), against run 18, on its own target conditions:
#
#   bash docs/sharpen/make.sh runs/lightning_logs/version_N/checkpoints/last.ckpt denoised docs/denoise denoised
#
# The candidate is flip-averaged as the default is, with its own thresholds from the two footage_soft
# validation draws (at most 5 % of their real crops flagged). ../shared's real media are measured after
# the choice, never before.
set -euo pipefail
CKPT=${1:?the last checkpoint of the run}
NAME=${2:-sharp}
OUT=${3:-docs/sharpen}
TARGET=${4:-sharpened}  # docs/sharpen/choose.py's TARGETS
DEFAULT=localize/assets/default_sbi_mobilenet_v2.json
forgeloc export "$CKPT" --out data/bundles/$NAME --half --flip-average
forgeloc thresholds data/bundles/$NAME --data data/sbi_val160_soft --split val --max-real-flagged 0.05
models=(--model "$DEFAULT" --model data/bundles/$NAME.json)
forgeloc eval "${models[@]}" --data data/sbi_test160 --data data/sbi_test160_footage \
  --data data/swap_test160_footage --data data/far_test160 --data data/soft_test160 --split test --out "$OUT"
python benchmarks/scene_false_alarms.py "${models[@]}" --json "$OUT/scene_false_alarms.json"
python docs/sharpen/choose.py "$OUT/report.json" "$OUT/scene_false_alarms.json" "$NAME" "$TARGET" | tee "$OUT/choice.md"
