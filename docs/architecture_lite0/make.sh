#!/usr/bin/env bash
# Run 11: does a U-Net on EfficientNet-Lite0 (configs/sbi_efficientnet_lite0.yaml: run 4's recipe on the
# footage_soft degradations, from ImageNet) replace the bundled default (run 9, MobileNetV2)? The rule was
# written into the run's config and committed before the run started; this file applies it. Run from the
# repository root after docs/default_model_eval/draws.sh (which draws the five held-out test sets) and the
# training:
#
#   forgeloc train fit --config configs/sbi_efficientnet_lite0.yaml
#   bash docs/architecture_lite0/make.sh runs/lightning_logs/version_8/checkpoints/last.ckpt
#
# The rule (held-out material only): the candidate, with its own thresholds from the two footage_soft
# validation draws (at most 5 % of their real crops flagged), replaces run 9 if
#   (a) its mean frame ROC-AUC over the five seed-2 held-out draws is at least run 9's mean less 0.01;
#   (b) its mean share flagged over benchmarks/scene_false_alarms.py's two far-face conditions is at most
#       run 9's + 0.02;
#   (c) the same over the two out-of-focus conditions is at most run 9's + 0.02
# (choice.md: docs/weight_interpolation/choose.py, as for runs 9 and 10); and
#   (d) `forgeloc inspect` stays real-time with it (throughput.md: real-time factor >= 1 at the default
#       sampling).
# Otherwise run 9 stays. ../shared's real media are measured after the choice, never before.
set -euo pipefail
OUT=docs/architecture_lite0
bash docs/default_model_eval/candidate.sh "${1:?the last checkpoint of the run}" lite0 "$OUT"
python benchmarks/inspect_throughput.py --model data/bundles/lite0.json --repeats 1 | tee "$OUT/throughput.md"
