#!/usr/bin/env bash
# Run 14: does run 9 fine-tuned with 30 % of its compressed crops coded as a starved stream
# (configs/sbi_mobilenet_v2_hard.yaml; DEGRADE_PRESETS["footage_hard"]) replace the bundled default
# (run 9, flip-averaged)? The rule was written into the run's config and committed before the run
# started; this file applies it. Run from the repository root after docs/default_model_eval/draws.sh
# (which draws the five held-out test sets), the footage_soft validation draws (data/sbi_val160_soft,
# docs/model_card.md) and the training:
#
#   forgeloc train fit --config configs/sbi_mobilenet_v2_hard.yaml
#   bash docs/hard_codec/make.sh runs/lightning_logs/version_0/checkpoints/last.ckpt
#
# The rule (held-out material only): the candidate, flip-averaged as the default is and with its own
# thresholds from the two footage_soft validation draws (at most 5 % of their real crops flagged),
# replaces run 9 if
#   (a) its mean frame ROC-AUC over the five held-out draws is at least run 9's less 0.01;
#   (b) its mean share flagged over benchmarks/scene_false_alarms.py's two far-face conditions is at most
#       run 9's + 0.02; (c) the same over the two out-of-focus conditions;
#   (d) its mean share flagged over the two coded-hard conditions (H.264 CRF 45, JPEG quality 10) is lower
#       than run 9's.
# (choice.md: docs/weight_interpolation/choose.py --lower ...) Otherwise run 9 stays.
# ../shared's real media are measured after the choice, never before.
set -euo pipefail
CKPT=${1:?the last checkpoint of the run}
forgeloc export "$CKPT" --out data/bundles/hard --half --flip-average
bash docs/default_model_eval/measure.sh hard docs/hard_codec \
  --lower "coded hard: H.264 CRF 45" --lower "coded hard: JPEG quality 10"
