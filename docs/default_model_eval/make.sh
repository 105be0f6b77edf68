#!/usr/bin/env bash
# Rebuilds docs/default_model_eval/ (about 8 minutes on 2 cores, more when the drawn sets are missing): the
# bundled default (run 14) and the default before it (run 9, flip-averaged, from git at $PREV), each at its own thresholds,
# on five held-out draws of the validation portraits at 160 px (seed 2:
# forgeries and degradations that neither training, checkpoint choice nor the threshold search saw): self-
# blends through the still-photo degradations, self-blends through the footage ones, cross-identity swaps
# (another held-out person's face Poisson-blended in, a forgery the training never makes) through the
# footage ones, self-blends through `footage_far` (30 % of the faces 28-70 px wide in the frame) and through
# `footage_soft` (footage_far, and a quarter of the crops out of focus). Then both models on held-out real
# faces whose scene, distance, focus or coding alone changes (benchmarks/scene_false_alarms.py).
# Run from the repository root. The files beside this script: run 14 against run 9, made 2026-12-04.
set -euo pipefail
FACES=../shared/data/faces
PREV=f57bc4a PREV_NAME=run9_sbi_mobilenet_v2  # the previous default, as it was bundled
mkdir -p data/bundles
git show $PREV:localize/assets/default_sbi_mobilenet_v2.safetensors > data/bundles/$PREV_NAME.safetensors
git show $PREV:localize/assets/default_sbi_mobilenet_v2.json |
  sed "s/\"file\": \"default_sbi_mobilenet_v2.safetensors\"/\"file\": \"$PREV_NAME.safetensors\"/" \
  > data/bundles/$PREV_NAME.json
draw() {  # OUT DEGRADE FORGERY (kept when already drawn: the draws are fixed by their seed)
  [ -f "$1/manifest.csv" ] && return
  forgeloc synth "$1" --self-blend "$FACES" --splits val --seed 2 --input-size 160 --degrade "$2" --forgery "$3"
  sed -i 's/^\(val-2-[^,]*\),val,/\1,test,/' "$1/manifest.csv"  # every crop is test material
}
draw data/sbi_test160 stills self_blend
draw data/sbi_test160_footage footage self_blend
draw data/swap_test160_footage footage donor_poisson
draw data/far_test160 footage_far self_blend
draw data/soft_test160 footage_soft self_blend
forgeloc eval --model localize/assets/default_sbi_mobilenet_v2.json --model data/bundles/$PREV_NAME.json \
  --data data/sbi_test160 --data data/sbi_test160_footage --data data/swap_test160_footage --data data/far_test160 \
  --data data/soft_test160 --split test --out docs/default_model_eval
python benchmarks/scene_false_alarms.py --model localize/assets/default_sbi_mobilenet_v2.json \
  --model data/bundles/$PREV_NAME.json --json docs/default_model_eval/scene_false_alarms.json
