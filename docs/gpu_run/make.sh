#!/usr/bin/env bash
# Judges run 21 (docs/gpu_run/device.sh trained it on one GPU; its three bundles in data/bundles/run21_STEP)
# against the bundled default (run 20) by the rule in configs/sbi_mobilenet_v2_gpu.yaml, committed before
# the run: each flip-averaged at its own thresholds (searched on the two footage_soft validation draws,
# data/sbi_val160_soft, at most 5 % of real crops flagged), on five fresh held-out draws of the validation
# portraits (seed 4, drawn after the rule was committed; docs/default_model_eval/draws.sh) and on
# benchmarks/scene_false_alarms.py; docs/gpu_run/choose.py applies the rule. About 40 minutes on 2 cores.
# Run from the repository root; ../shared's real media are never read here.
set -euo pipefail
OUT=${OUT:-docs/gpu_run}
DRAWS=data/seed4
DEFAULT=localize/assets/default_sbi_mobilenet_v2.json
bash docs/default_model_eval/draws.sh 4 "$DRAWS"
models=(--model "$DEFAULT")
for bundle in $(ls data/bundles/run21_*.json | sort -t_ -k2 -n); do
  forgeloc thresholds "${bundle%.json}" --data data/sbi_val160_soft --split val --max-real-flagged 0.05
  models+=(--model "$bundle")
done
forgeloc eval "${models[@]}" --data "$DRAWS/sbi_test160" --data "$DRAWS/sbi_test160_footage" \
  --data "$DRAWS/swap_test160_footage" --data "$DRAWS/far_test160" --data "$DRAWS/soft_test160" --split test \
  --out "$OUT"
last=$(ls data/bundles/run21_*.json | sort -t_ -k2 -n | tail -1)
python benchmarks/scene_false_alarms.py --model "$DEFAULT" --model "$last" --json "$OUT/scene_false_alarms.json"
python docs/gpu_run/choose.py "$OUT/report.json" "$OUT/scene_false_alarms.json" | tee "$OUT/choice.md"
