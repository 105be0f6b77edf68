#!/usr/bin/env bash
# Rebuilds docs/default_model_eval/ (about 3 minutes on 2 cores): the bundled default (run 4) and run 3
# (the default before it, from git) on three held-out draws of the validation portraits at 160 px (seed 2:
# forgeries and degradations that neither training, checkpoint choice nor the threshold search saw): self-
# blends through the still-photo degradations, self-blends through the footage ones, and cross-identity
# swaps (another held-out person's face Poisson-blended in, a forgery the training never makes) through the
# footage ones. Run from the repository root.
set -euo pipefail
FACES=../shared/data/faces
mkdir -p data/bundles
git show 8249f85:localize/assets/default_sbi_mobilenet_v2.safetensors > data/bundles/run3_sbi_mobilenet_v2.safetensors
git show 8249f85:localize/assets/default_sbi_mobilenet_v2.json |
  sed 's/"file": "default_sbi_mobilenet_v2.safetensors"/"file": "run3_sbi_mobilenet_v2.safetensors"/' \
  > data/bundles/run3_sbi_mobilenet_v2.json
draw() {  # OUT DEGRADE FORGERY
  forgeloc synth "$1" --self-blend "$FACES" --splits val --seed 2 --input-size 160 --degrade "$2" --forgery "$3"
  sed -i 's/^\(val-2-[^,]*\),val,/\1,test,/' "$1/manifest.csv"  # every crop is test material
}
draw data/sbi_test160 stills self_blend
draw data/sbi_test160_footage footage self_blend
draw data/swap_test160_footage footage donor_poisson
forgeloc eval --model localize/assets/default_sbi_mobilenet_v2.json --model data/bundles/run3_sbi_mobilenet_v2.json \
  --data data/sbi_test160 --data data/sbi_test160_footage --data data/swap_test160_footage --split test \
  --out docs/default_model_eval
