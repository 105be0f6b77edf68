#!/usr/bin/env bash
# Rebuilds docs/default_model_eval/ (about 2 minutes on 2 cores): the bundled default (run 3) and run 2
# (the default before it, from git) on two held-out draws of the validation portraits at 160 px (seed 2:
# blends and degradations that neither training, checkpoint choice nor the threshold search saw), one
# through the still-photo degradations, one through the footage ones. Run from the repository root.
set -euo pipefail
FACES=../shared/data/faces
mkdir -p data/bundles
git show 3518afb:localize/assets/default_sbi_mobilenet_v2.safetensors > data/bundles/run2_sbi_mobilenet_v2.safetensors
git show 3518afb:localize/assets/default_sbi_mobilenet_v2.json |
  sed 's/"file": "default_sbi_mobilenet_v2.safetensors"/"file": "run2_sbi_mobilenet_v2.safetensors"/' \
  > data/bundles/run2_sbi_mobilenet_v2.json
for degrade in stills footage; do
  out=data/sbi_test160$([ "$degrade" = footage ] && echo _footage || true)
  forgeloc synth "$out" --self-blend "$FACES" --splits val --seed 2 --input-size 160 --degrade "$degrade"
  sed -i 's/^\(val-2-[^,]*\),val,/\1,test,/' "$out/manifest.csv"  # every crop is test material
done
forgeloc eval --model localize/assets/default_sbi_mobilenet_v2.json --model data/bundles/run2_sbi_mobilenet_v2.json \
  --data data/sbi_test160 --data data/sbi_test160_footage --split test --out docs/default_model_eval
