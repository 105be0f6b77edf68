#!/usr/bin/env bash
# Run 21 on the device machine (one GPU, 16 cores, no network), in two calls from the repository root:
#   stage 1 (carry .stage1: the wheels of av, albumentations, segmentation-models-pytorch, jsonargparse and
#            their needs that the machine lacks, and ../shared's MobileNetV2 ImageNet file):
#     bash docs/gpu_run/device.sh stage
#   stage 2 (carry .stage2: a copy of ../shared/data/faces), on the same machine:
#     TRAIN_S=420 bash docs/gpu_run/device.sh train
# The two stages exist because the wheels, the encoder file and the portraits together exceed what one
# call carries. `train` writes three float16 bundles (run21_STEP: the last three saved checkpoints),
# metrics.csv and train.log to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 NO_ALBUMENTATIONS_UPDATE=1 PYTHONPATH=/tmp/site:$PWD
case "${1:?stage or train}" in
stage)
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .stage1/whl/*.whl || exit 1
  mkdir -p ../shared/data/weights && cp .stage1/mobilenet_v2-b0353104.pth ../shared/data/weights/ || exit 1
  python3 -c "import av, albumentations, segmentation_models_pytorch, jsonargparse, torch, cv2
print(torch.__version__, torch.cuda.get_device_name(), 'av', av.__version__, 'cv2', cv2.__version__)
from mask_gen.synth.h264 import H264Compression; from train.cli import fit; print('imports ok')"
  nproc
  ;;
train)
  [ -d /tmp/site/av ] || { echo "STAGE MISSING: /tmp/site lacks av (run stage first, same machine)"; exit 3; }
  mkdir -p ../shared/data && ln -sfn "$PWD/.stage2/faces" ../shared/data/faces
  python3 docs/gpu_run/device.py "$OUT" "${TRAIN_S:-420}" --trainer.enable_progress_bar false \
    2>&1 | grep -v "Warning\|warn(" | tee "$OUT/train.log"
  ;;
esac
