#!/usr/bin/env bash
# Overlay pictures of the model card's known failure cases, and of one success, from the real media in
# ../shared (about 2 minutes on 2 cores). They are written under data/failure_cases/ (OUT), not committed:
# the FF++ and DFDC media are research-only and every file in ../shared stays out of the repository.
# Each case gets its own `forgeloc inspect` report (OUT/<case>/report.html, overlays in OUT/<case>/frames/:
# the predicted mask over the frame, the face box, P(fake) and the verdict).
# Usage, from the repository root: bash docs/failure_cases/make.sh [--model BUNDLE]
set -euo pipefail
SHARED=../shared/data
OUT=${OUT:-data/failure_cases}
export FORGELOC_FACE_MODEL=${FORGELOC_FACE_MODEL:-$SHARED/detectors/yunet/yunet_s_640_640.onnx}
FFPP=$SHARED/external/polimi-ispl__icpr2020dfdc/test/data/ffpp
README=$SHARED/external/ondyari__FaceForensics/images
ASL=$SHARED/face_videos/intel-iot-devkit__sample-videos/asl_gestures
DFDC=$SHARED/external/polimi-ispl__icpr2020dfdc/test/data/dfdc
case_() {  # NAME INPUT...: one report per case
  local name=$1; shift
  forgeloc inspect "$@" --max-frames 4 --out "$OUT/$name" "${MODEL[@]}" > "$OUT/$name.txt" 2> /dev/null
  grep -E '^(REAL|FAKE) ' "$OUT/$name.txt" | sed "s|^|$name: |"  # verdict, fake frames, input
}
MODEL=("$@")
mkdir -p "$OUT"
case_ deepfakes "$FFPP/manipulated_sequences/Deepfakes/c23/videos/519_515.mp4"  # found: the mask on the face
case_ real_actors "$README/ex_original_actors.png"  # real, called FAKE: the whole face flagged
case_ real_asl_clip "$ASL/milk.mkv"                 # real webcam footage, called FAKE
case_ neuraltextures "$FFPP/manipulated_sequences/NeuralTextures/c23/videos/004_982.mp4" \
  "$README/ex_neuraltextures.png"                   # missed: re-rendered mouth, no seam
case_ faceswap "$FFPP/manipulated_sequences/FaceSwap/c23/videos/634_660.mp4"  # missed
case_ turned_head "$DFDC/dfdc_train_part_0/brtujopkby.mp4"  # a DFDC fake, turned head: few frames flagged
