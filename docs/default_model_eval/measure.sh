#!/usr/bin/env bash
# Measure one candidate bundle, data/bundles/NAME.json, against the bundled default on held-out material
# and apply the rule (docs/weight_interpolation/choose.py): search its thresholds on the two footage_soft
# validation draws (at most 5 % of real crops flagged), evaluate both models on the five seed-2 held-out
# draws and run benchmarks/scene_false_alarms.py on both. candidate.sh (a trained checkpoint) and
# docs/flip_average/make.sh (the default's own weights) call it after writing the bundle:
#
#   bash docs/default_model_eval/measure.sh NAME OUT_DIR [CHOOSE_ARGS...]
#
# writes OUT_DIR/{report.*,scene_false_alarms.json,choice.md}. ../shared's real media are never read here.
set -euo pipefail
NAME=${1:?a candidate bundle name in data/bundles}
OUT=${2:?an output folder}
shift 2
DEFAULT=${DEFAULT:-localize/assets/default_sbi_mobilenet_v2.json}  # the reference of the rule (its stem names it)
forgeloc thresholds "data/bundles/$NAME" --data data/sbi_val160_soft --split val --max-real-flagged 0.05
models=(--model "$DEFAULT" --model "data/bundles/$NAME.json")
forgeloc eval "${models[@]}" --data data/sbi_test160 --data data/sbi_test160_footage \
  --data data/swap_test160_footage --data data/far_test160 --data data/soft_test160 --split test --out "$OUT"
python benchmarks/scene_false_alarms.py "${models[@]}" --json "$OUT/scene_false_alarms.json"
python docs/weight_interpolation/choose.py "$OUT/report.json" "$OUT/scene_false_alarms.json" "$NAME" "$@" |
  tee "$OUT/choice.md"
