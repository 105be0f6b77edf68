#!/usr/bin/env bash
# Draws the five held-out test sets of the validation portraits at 160 px into DIR, from SEED:
#
#   bash docs/default_model_eval/draws.sh [SEED [DIR]]   # 2 and data: the draws runs 4-20 were judged on
#
# self-blends through the still-photo degradations (sbi_test160), self-blends through the footage ones
# (sbi_test160_footage), cross-identity swaps through the footage ones (swap_test160_footage), self-blends
# through footage_far (far_test160) and footage_soft (soft_test160). A set already drawn is kept (the draws
# are fixed by their seed). Every crop is marked test. Run from the repository root.
set -euo pipefail
FACES=../shared/data/faces
SEED=${1:-2}
DIR=${2:-data}
mkdir -p "$DIR"
draw() {  # NAME DEGRADE FORGERY
  [ -f "$DIR/$1/manifest.csv" ] && return
  forgeloc synth "$DIR/$1" --self-blend "$FACES" --splits val --seed "$SEED" --input-size 160 \
    --degrade "$2" --forgery "$3"
  sed -i "s/^\(val-$SEED-[^,]*\),val,/\1,test,/" "$DIR/$1/manifest.csv"  # every crop is test material
}
draw sbi_test160 stills self_blend
draw sbi_test160_footage footage self_blend
draw swap_test160_footage footage donor_poisson
draw far_test160 footage_far self_blend
draw soft_test160 footage_soft self_blend
