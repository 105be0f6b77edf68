#!/usr/bin/env bash
# Rebuilds docs/example_eval/ from nothing on a CPU machine (about 1.5 hours on 2 cores). Run from the
# repository root; DATA (default data/) holds the synthetic sets, models and training runs.
set -euo pipefail
DATA=${DATA:-data}
OUT=${OUT:-docs/example_eval}
F=forgeloc

# the default model's data (docs/model_card.md): 56 synthetic FF++-layout sources, 128 px crops
[ -f "$DATA/masks128/manifest.csv" ] || {
  $F synth "$DATA/synth56" --layout ffpp --videos 56 --frames 24 --seed 1
  $F mask-gen "$DATA/synth56/ffpp" --out "$DATA/masks128" --frames 4 --size 128 --split-by hash
}
# the same videos at 256 px for MesoNet (same hash split, so the same test videos)
[ -f "$DATA/masks256/manifest.csv" ] ||
  $F mask-gen "$DATA/synth56/ffpp" --out "$DATA/masks256" --frames 4 --size 256 --split-by hash

# 1. the bundled default U-Net_v1, fine-tuned with adversarial training (FGSM, eps 4/255, half the fakes)
[ -f "$DATA/bundles/unet_v1_adv.json" ] || {
  $F train fit --config configs/unet_v1.yaml --data.data_dir "$DATA/masks128" \
    --model.init_args.init_weights localize/assets/default_unet_v1.safetensors --model.init_args.lr 0.0001 \
    --model.init_args.adversarial_eps 4 --trainer.max_epochs 2 --trainer.default_root_dir "$DATA/runs/adv" \
    --trainer.logger.init_args.save_dir "$DATA/runs/adv" --trainer.enable_progress_bar false
  $F export "$(ls -t "$DATA"/runs/adv/lightning_logs/*/checkpoints/last.ckpt | head -1)" --out "$DATA/bundles/unet_v1_adv"
  $F thresholds "$DATA/bundles/unet_v1_adv" --data "$DATA/masks128" --split val
}
# 2. Meso4 trained on the same synthetic videos (256 px crops)
[ -f "$DATA/bundles/meso4_synth.json" ] || {
  $F train fit --config configs/meso4.yaml --data.data_dir "$DATA/masks256" --trainer.max_epochs 10 \
    --trainer.default_root_dir "$DATA/runs/meso4" --trainer.logger.init_args.save_dir "$DATA/runs/meso4" \
    --trainer.enable_progress_bar false
  $F export "$(ls -t "$DATA"/runs/meso4/lightning_logs/*/checkpoints/last.ckpt | head -1)" --out "$DATA/bundles/meso4_synth"
}
# 3. MesoNet's original Keras Meso4 (DeepFakes weights), when ../shared has them
MESO_H5=../shared/data/external/DariusAf__MesoNet/weights/Meso4_DF.h5
KERAS=()
if [ -f "$MESO_H5" ]; then
  [ -f "$DATA/bundles/meso4_df.json" ] || $F export "$MESO_H5" --out "$DATA/bundles/meso4_df"
  KERAS=(--model "$DATA/bundles/meso4_df")
fi

$F eval --model localize/assets/default_unet_v1 --model "$DATA/bundles/unet_v1_adv" \
  --model "$DATA/bundles/meso4_synth" "${KERAS[@]}" --data "$DATA/masks128" --out "$OUT" \
  --robustness --attack --surrogate localize/assets/default_unet_v1 --eps 2,4,8 --attack-frames 24
