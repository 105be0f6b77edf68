#!/usr/bin/env bash
# Rebuilds docs/default_model_eval/ (about 15 minutes on 2 cores, more when the drawn sets are missing): the
# bundled default (run 20) and the default before it (run 18, flip-averaged, from git at $PREV), each at its
# own thresholds, on five held-out draws of the validation portraits at 160 px with seed $SEED (3: draws no
# run, checkpoint choice, threshold search or rule has seen; seeds 0-1 are the threshold draws, 2 the draws
# that runs 4-20 were judged on): self-blends through the still-photo degradations, self-blends through the
# footage ones, cross-identity swaps (another held-out person's face Poisson-blended in, a forgery the
# training never makes) through the footage ones, self-blends through `footage_far` (30 % of the faces
# 28-70 px wide in the frame) and through `footage_soft` (footage_far, and a quarter of the crops out of
# focus). Then both models on held-out real faces whose scene, distance, focus or coding alone changes
# (benchmarks/scene_false_alarms.py; deterministic, the same figures as docs/denoise/run20).
#
# A confirmation, written before these draws were made (2026-12-04): eight candidates (runs 17-20) were
# judged on the seed-2 draws, so run 20's pass there is weak evidence. On the fresh seed-3 draws run 20
# stays the default if it passes the AUC checks of its own rule again, (a) its mean frame AUC over the five
# draws at least run 18's less 0.01 and (b) its swaps AUC at least run 18's less 0.01; if it fails either,
# run 18 returns. (The rule's other checks are on the scene benchmark, which fresh draws do not change.)
# The people are the same 307 validation portraits: fresh blends and degradations, not fresh faces.
# Run from the repository root; ../shared's real media are never read here.
set -euo pipefail
SEED=${SEED:-3}
DRAWS=data/seed$SEED
OUT=${OUT:-docs/default_model_eval}
PREV=b85b1df PREV_NAME=run18_sbi_mobilenet_v2  # the previous default, as it was bundled
mkdir -p data/bundles
git show $PREV:localize/assets/default_sbi_mobilenet_v2.safetensors > data/bundles/$PREV_NAME.safetensors
git show $PREV:localize/assets/default_sbi_mobilenet_v2.json |
  sed "s/\"file\": \"default_sbi_mobilenet_v2.safetensors\"/\"file\": \"$PREV_NAME.safetensors\"/" \
  > data/bundles/$PREV_NAME.json
bash docs/default_model_eval/draws.sh "$SEED" "$DRAWS"
models=(--model localize/assets/default_sbi_mobilenet_v2.json --model data/bundles/$PREV_NAME.json)
forgeloc eval "${models[@]}" --data "$DRAWS/sbi_test160" --data "$DRAWS/sbi_test160_footage" \
  --data "$DRAWS/swap_test160_footage" --data "$DRAWS/far_test160" --data "$DRAWS/soft_test160" --split test \
  --out "$OUT"
python - "$OUT/report.json" $PREV_NAME <<'PY' | tee "$OUT/confirmation.md"
import json, sys
from pathlib import Path
report, prev = json.loads(Path(sys.argv[1]).read_text()), sys.argv[2]
aucs: dict = {}
for run in report["runs"]:
    aucs.setdefault(run["model"].split(" (")[0], {})[Path(run["data"]).name] = run["frame"]["roc_auc"]
new, old = aucs["default_sbi_mobilenet_v2"], aucs[prev]
mean = {name: sum(row.values()) / len(row) for name, row in aucs.items()}
print("| draw | run 20 (default) | run 18 |\n| --- | --- | --- |")
for draw in new:
    print(f"| {draw} | {new[draw]:.3f} | {old[draw]:.3f} |")
print(f"| mean | {mean['default_sbi_mobilenet_v2']:.3f} | {mean[prev]:.3f} |\n")
a = mean["default_sbi_mobilenet_v2"] >= mean[prev] - 0.01
b = new["swap_test160_footage"] >= old["swap_test160_footage"] - 0.01
print(f"(a) mean AUC at least run 18's less 0.01: {'pass' if a else 'FAIL'}")
print(f"(b) swaps AUC at least run 18's less 0.01: {'pass' if b else 'FAIL'}")
print("run 20 stays the default" if a and b else "run 18 returns as the default")
PY
python benchmarks/scene_false_alarms.py "${models[@]}" --json "$OUT/scene_false_alarms.json"
