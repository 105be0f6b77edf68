#!/usr/bin/env bash
# Rebuilds docs/default_model_eval/ (about 8 minutes on 2 cores): the bundled default and run 7. The files
# here were made while the default was run 8 (run 9 replaced it: docs/weight_interpolation); rerun now, the
# default is run 9
# (the default before it, from git) on five held-out draws of the validation portraits at 160 px (seed 2:
# forgeries and degradations that neither training, checkpoint choice nor the threshold search saw): self-
# blends through the still-photo degradations, self-blends through the footage ones, cross-identity swaps
# (another held-out person's face Poisson-blended in, a forgery the training never makes) through the
# footage ones, self-blends through `footage_far` (30 % of the faces 28-70 px wide in the frame) and through
# `footage_soft` (footage_far, and a quarter of the crops out of focus). Then both models on held-out real
# faces whose scene, distance, focus or coding alone changes (benchmarks/scene_false_alarms.py).
# Run from the repository root.
set -euo pipefail
FACES=../shared/data/faces
mkdir -p data/bundles
git show ab5ad81:localize/assets/default_sbi_mobilenet_v2.safetensors > data/bundles/run7_sbi_mobilenet_v2.safetensors
git show ab5ad81:localize/assets/default_sbi_mobilenet_v2.json |
  sed 's/"file": "default_sbi_mobilenet_v2.safetensors"/"file": "run7_sbi_mobilenet_v2.safetensors"/' \
  > data/bundles/run7_sbi_mobilenet_v2.json
draw() {  # OUT DEGRADE FORGERY
  forgeloc synth "$1" --self-blend "$FACES" --splits val --seed 2 --input-size 160 --degrade "$2" --forgery "$3"
  sed -i 's/^\(val-2-[^,]*\),val,/\1,test,/' "$1/manifest.csv"  # every crop is test material
}
draw data/sbi_test160 stills self_blend
draw data/sbi_test160_footage footage self_blend
draw data/swap_test160_footage footage donor_poisson
draw data/far_test160 footage_far self_blend
draw data/soft_test160 footage_soft self_blend
forgeloc eval --model localize/assets/default_sbi_mobilenet_v2.json --model data/bundles/run7_sbi_mobilenet_v2.json \
  --data data/sbi_test160 --data data/sbi_test160_footage --data data/swap_test160_footage --data data/far_test160 \
  --data data/soft_test160 --split test --out docs/default_model_eval
python benchmarks/scene_false_alarms.py --model localize/assets/default_sbi_mobilenet_v2.json \
  --model data/bundles/run7_sbi_mobilenet_v2.json --json docs/default_model_eval/scene_false_alarms.json
