#!/usr/bin/env bash
# Rebuilds docs/rendered_proxies/ (about 10 minutes on 2 cores): held-out forgeries that imitate the two
# FF++ methods the self-blend-trained models miss (mask_gen/synth/rendered_forgeries.py): `rendered_swap`
# (another held-out person's face drawn at 30-50 % resolution, colour-matched and blended, as FaceSwap
# renders a low-resolution face model) and `mouth_rerender` (the mouth re-drawn smooth at low resolution,
# as NeuralTextures re-renders the mouth), each on the 307 validation portraits at 160 px through the footage
# degradations, drawn with seed 5 (no run, threshold search or rule has seen them). The models: the
# bundled default (run 20), run 21 (docs/gpu_run) and the earlier defaults runs 18, 14, 9 and 2 (from
# docs/real_ffpp_eval/make.sh's data/real_ffpp/bundles), each at its own thresholds. The edits were written
# and committed before any model was measured on them; they are not tuned to any result. Run from the
# repository root; ../shared's real media are never read here.
set -euo pipefail
FACES=../shared/data/faces
DIR=data/seed5
OUT=${OUT:-docs/rendered_proxies}
BUNDLES=data/real_ffpp/bundles
mkdir -p "$DIR"
for forgery in rendered_swap mouth_rerender; do
  set_dir="$DIR/${forgery}_test160_footage"
  if [ ! -f "$set_dir/manifest.csv" ]; then
    forgeloc synth "$set_dir" --self-blend "$FACES" --splits val --seed 5 --input-size 160 --degrade footage \
      --forgery "$forgery"
    sed -i "s/^\(val-5-[^,]*\),val,/\1,test,/" "$set_dir/manifest.csv"  # every crop is test material
  fi
done
forgeloc eval --model localize/assets/default_sbi_mobilenet_v2 --model data/bundles/run21_3017 \
  --model "$BUNDLES/run18_sbi_mobilenet_v2" --model "$BUNDLES/run14_sbi_mobilenet_v2" \
  --model "$BUNDLES/run9_sbi_mobilenet_v2" --model "$BUNDLES/run2_sbi_mobilenet_v2" \
  --data "$DIR/rendered_swap_test160_footage" --data "$DIR/mouth_rerender_test160_footage" --split test \
  --out "$OUT"
