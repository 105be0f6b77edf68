"""False alarms on real held-out faces when only the scene around them changes.

The training portraits stand before plain studio backdrops in even light; real footage puts faces before
rooms, mostly out of focus, with the person lit apart from the room. This benchmark takes the validation
people's portraits (never trained on) and changes the scene, never the face's own pixels relative to the
person (`mask_gen.synth.scene`: GrabCut matte, face hull always kept): the backdrop defocused (blur of
2.5 % of the face's width), another held-out photo's texture behind the person (sharp or defocused), the
whole person lit brighter or darker (gamma 0.7 / 1.4) or warmer (red +12 %, blue -12 %) than the room. It
reports the share of these real crops each model flags at its own thresholds and their mean peak
P(fake). A model that took a face standing out from its surroundings for a blend would flag them. Two
more conditions put the face far from the camera: the whole photo shrunk so the face box is 45 or 35 px
wide (`far_face`, as in a room-wide shot), then cropped and enlarged to the input as inference does.
Two put it out of focus as a whole (a soft webcam, a defocused lens): the photo blurred with a Gaussian
of sigma 2 % or 3 % of the face box's width (about 1.5 % / 2.3 % of the crop's). Two code the whole photo
harder than any training recipe does (a starved stream): H.264 at CRF 45 (training: up to 40) and JPEG at
quality 10 (training: 30 and up). Three code a 5-frame H.264 clip at CRF 35 (inside training's range) of
the person before another photo's defocused texture and keep its last, predicted frame: the clip still,
the camera panning (person and room move together, as training's clips do), or the person moving
against the room (a head turning or swaying: the codec's motion search meets an outline that the room
does not follow, which no training clip shows).

    python benchmarks/scene_false_alarms.py [--model BUNDLE ...] [--faces ../shared/data/faces] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from localize.bundle import load_bundle
from localize.decide import frame_is_fake
from localize.errors import ForgelocError
from localize.faces import expand_box
from localize.images import read_image
from localize.localizer import default_bundle_path
from mask_gen.synth.compression import jpeg_roundtrip
from mask_gen.synth.h264 import h264_clip, h264_sequence, h264_still
from mask_gen.synth.portraits import read_face_index, split_people
from mask_gen.synth.scene import composite, defocused, person_matte, scene_texture
from mask_gen.synth.self_blend_set import far_face

FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"
CONDITIONS = (
    "as photographed",
    "backdrop defocused",
    "other texture",
    "other texture defocused",
    "person brighter",
    "person darker",
    "person warmer",
    "face 45 px wide",
    "face 35 px wide",
    "face out of focus 2 %",
    "face out of focus 3 %",
    "coded hard: H.264 CRF 45",
    "coded hard: JPEG quality 10",
    "clip still, H.264 CRF 35",
    "clip camera pans, H.264 CRF 35",
    "clip person moves, H.264 CRF 35",
)
CLIP_FRAMES, CLIP_CRF, CLIP_STEP = 5, 35, (2.0, 1.0)  # pixels per frame at the photo's size
SOFT_SIGMAS = {"face out of focus 2 %": 0.02, "face out of focus 3 %": 0.03}  # share of the face's width


def _gamma(rgb: np.ndarray, gamma: float) -> np.ndarray:
    return np.clip(np.round(255 * (rgb / 255.0) ** gamma), 0, 255).astype(np.uint8)


def _warmer(rgb: np.ndarray, amount: float) -> np.ndarray:
    out = rgb.astype(np.float32) * np.array([1 + amount, 1.0, 1 - amount], np.float32)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def _shifted(image: np.ndarray, offset: tuple[float, float]) -> np.ndarray:
    matrix = np.float32([[1, 0, offset[0]], [0, 1, offset[1]]])
    size = (image.shape[1], image.shape[0])
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def person_moving(image: np.ndarray, matte: np.ndarray, room: np.ndarray) -> list[np.ndarray]:
    """CLIP_FRAMES frames of the person of `matte` moving CLIP_STEP px per frame before a still `room`,
    ending where the photo has them (the last frame is `composite(image, matte, room)`)."""
    frames = []
    for lag in range(CLIP_FRAMES - 1, -1, -1):
        offset = (lag * CLIP_STEP[0], lag * CLIP_STEP[1])
        frames.append(composite(_shifted(image, offset), _shifted(matte, offset), room))
    return frames


def backdrop_photos(face_dir: Path, record) -> dict[str, list[np.ndarray]]:
    """Each condition's real crops of the validation people (the record's crop rule)."""
    photos = split_people(read_face_index(face_dir), 0.1)["val"]
    crops: dict[str, list[np.ndarray]] = {name: [] for name in CONDITIONS}
    for number, photo in enumerate(photos):
        image = read_image(photo.path)
        matte = person_matte(image, photo.box, photo.landmark_array())
        sigma = 0.025 * (photo.box[2] - photo.box[0])
        other = read_image(photos[(number + 1) % len(photos)].path)
        texture = scene_texture(other, image.shape, np.random.default_rng(number))
        scenes = {
            "as photographed": image,
            "backdrop defocused": composite(image, matte, defocused(image, sigma)),
            "other texture": composite(image, matte, texture),
            "other texture defocused": composite(image, matte, defocused(texture, sigma)),
            "person brighter": composite(_gamma(image, 0.7), matte, image),
            "person darker": composite(_gamma(image, 1.4), matte, image),
            "person warmer": composite(_warmer(image, 0.12), matte, image),
        }
        for name, share in SOFT_SIGMAS.items():
            scenes[name] = defocused(image, share * (photo.box[2] - photo.box[0]))
        scenes["coded hard: H.264 CRF 45"] = h264_still(image, 45)
        scenes["coded hard: JPEG quality 10"] = jpeg_roundtrip(image, 10)
        room = defocused(texture, sigma)
        before_room = composite(image, matte, room)
        scenes["clip still, H.264 CRF 35"] = h264_sequence([before_room] * CLIP_FRAMES, CLIP_CRF)
        scenes["clip camera pans, H.264 CRF 35"] = h264_clip(before_room, CLIP_CRF, CLIP_FRAMES, CLIP_STEP)
        scenes["clip person moves, H.264 CRF 35"] = h264_sequence(person_moving(image, matte, room), CLIP_CRF)
        framed = {name: (scene, photo.box) for name, scene in scenes.items()}
        no_blend = np.zeros(image.shape[:2], np.float32)
        for width in (45, 35):
            small, _, box = far_face(image, no_blend, photo.box, width)
            framed[f"face {width} px wide"] = (small, box)
        for name, (scene, box) in framed.items():
            x0, y0, x1, y1 = expand_box(box, scene.shape, record.margin)
            crops[name].append(record.resize(scene[y0:y1, x0:x1]))
    return crops


def measure(bundle_path: str, crops: dict[str, list[np.ndarray]]) -> dict[str, dict[str, float]]:
    bundle = load_bundle(bundle_path)
    thresholds = bundle.thresholds
    out = {}
    for name, batch in crops.items():
        maps = bundle.predict(batch, 32)
        flags = [frame_is_fake(m, thresholds["threshold"], thresholds["min_region_px"]) for m in maps]
        out[name] = {"flagged": float(np.mean(flags)), "mean_peak": float(np.mean([m.max() for m in maps]))}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", help="bundle (repeatable; default: the bundled model)")
    parser.add_argument("--faces", type=Path, default=FACES, help="face folder with index.csv")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not (args.faces / "index.csv").is_file():
        parser.exit(1, f"{args.faces}: no index.csv (the portraits are in ../shared/data/faces)\n")
    models = args.model or [str(default_bundle_path())]
    try:
        records = {model: load_bundle(model).preprocessing for model in models}
    except ForgelocError as error:  # a missing or broken bundle: one line, before any work
        parser.exit(1, f"{error}\n")
    record = records[models[0]]
    for model in models:
        if records[model] != record:
            parser.exit(1, f"{model}: crops differently from {models[0]}; run it on its own\n")
    crops = backdrop_photos(args.faces, record)
    results = {}
    print(
        f"{len(crops[CONDITIONS[0]])} real held-out crops per condition; flagged at each model's thresholds"
    )
    for model in models:
        results[model] = measure(model, crops)
        for name, figures in results[model].items():
            print(
                f"{model}  {name:28s} flagged {figures['flagged']:6.1%}  mean peak P {figures['mean_peak']:.3f}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
