#!/usr/bin/env bash
# Measure one trained candidate against the bundled default on held-out material and apply the rule of
# runs 10 and 11 (docs/weight_interpolation/choose.py): export the checkpoint, then (measure.sh) search its thresholds on
# the two footage_soft validation draws (at most 5 % of real crops flagged), evaluate both models on the
# five seed-2 held-out draws and run benchmarks/scene_false_alarms.py on both. Run from the repository
# root after docs/default_model_eval/draws.sh (which draws the held-out test sets):
#
#   bash docs/default_model_eval/candidate.sh CHECKPOINT NAME OUT_DIR [CHOOSE_ARGS...]
#
# CHOOSE_ARGS go to choose.py (run 12: --seen swap_test160_footage).
# writes data/bundles/NAME.{json,safetensors} and OUT_DIR/{report.*,scene_false_alarms.json,choice.md}.
# ../shared's real media are never read here.
set -euo pipefail
CKPT=${1:?the candidate checkpoint}
NAME=${2:?a bundle name for the candidate}
OUT=${3:?an output folder}
shift 3
forgeloc export "$CKPT" --out "data/bundles/$NAME" --half
bash docs/default_model_eval/measure.sh "$NAME" "$OUT" "$@"
