"""False alarms on real held-out faces when only the scene around them changes.

The training portraits stand before plain studio backdrops in even light; real footage puts faces before
rooms, mostly out of focus, with the person lit apart from the room. This benchmark takes the validation
people's portraits (never trained on) and changes the scene, never the face's own pixels relative to the
person (`mask_gen.synth.selfblend.scene`: GrabCut matte, face hull always kept): the backdrop defocused (blur of
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
Five more change the whole photo without touching the person's place in it: a homography as a camera
turned beside the person (the right side 20 % or 35 % shorter) or below them (the top 25 % narrower), a
teal-orange film grade, saturation x1.6. Three put something before the face (an ellipse with a hard,
anti-aliased outline, `mask_gen.synth.selfblend.scene.occluded`): another held-out person's skin as a hand before
the chin or beside the cheek, another photo's texture as an object before the mouth. Three smooth the
whole photo edge-preservingly as a webcam's noise reduction or a beauty filter does (flat skin, sharp
eyes and hair): a bilateral filter (colour sigma 30 or 60, space sigma 4 or 6 % of the face's width) or
non-local means (h 15); one cuts its contrast to 0.6 with the blacks lifted, as a backlit webcam's
haze. Two sharpen the whole photo as cameras and TVs do (an unsharp
mask of sigma 2 % of the face's width, amount 0.5 or 1.5). Three cut the photo at the left so the face touches the frame's
edge or is 80 % / 60 % inside it (the crop rule then shifts its square into the frame), and one at the
top so 80 % of the face's height is inside it, as a close-up cuts the forehead. Two weave the photo as an interlaced frame of a camera panning
(the odd lines a field later, 2 or 6 px further on: combing), and three rebuild those and the photo itself
from the top field as the video reader does for interlaced frames (`localize.media.interlace.deinterlaced`).
`--only TEXT` runs just the conditions whose name contains it.

    python benchmarks/scene_false_alarms.py [--model BUNDLE ...] [--faces ../shared/data/faces] [--only TEXT] [--json OUT]
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

import cv2
import numpy as np

from localize.common.errors import ForgelocError
from localize.faces.tracker import expand_box
from localize.inference.bundle import load_bundle
from localize.inference.decide import frame_is_fake
from localize.inference.localizer import default_bundle_path
from localize.media.images import read_image
from localize.media.interlace import deinterlaced
from mask_gen.synth.codecs.compression import jpeg_roundtrip
from mask_gen.synth.codecs.h264 import h264_clip, h264_sequence, h264_still, moving_frames
from mask_gen.synth.selfblend.framing import edge_face, far_face
from mask_gen.synth.selfblend.looks import bilateral, nl_means, unsharp
from mask_gen.synth.selfblend.portraits import read_face_index, split_people
from mask_gen.synth.selfblend.scene import (
    composite,
    defocused,
    occluded,
    person_matte,
    scene_texture,
    woven_interlaced,
)

FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"
CLIP_FRAMES, CLIP_CRF, CLIP_STEP = 5, 35, (2.0, 1.0)  # pixels per frame at the photo's size


def _gamma(rgb: np.ndarray, gamma: float) -> np.ndarray:
    return np.clip(np.round(255 * (rgb / 255.0) ** gamma), 0, 255).astype(np.uint8)


def _warmer(rgb: np.ndarray, amount: float) -> np.ndarray:
    out = rgb.astype(np.float32) * np.array([1 + amount, 1.0, 1 - amount], np.float32)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def person_moving(image: np.ndarray, matte: np.ndarray, room: np.ndarray) -> list[np.ndarray]:
    """CLIP_FRAMES frames of the person of `matte` moving CLIP_STEP px per frame before a still `room`,
    ending where the photo has them (the last frame is `composite(image, matte, room)`)."""
    people = moving_frames(image, CLIP_FRAMES, CLIP_STEP)
    mattes = moving_frames(matte, CLIP_FRAMES, CLIP_STEP)
    return [composite(person, where, room) for person, where in zip(people, mattes, strict=True)]


def _perspective(image: np.ndarray, box, share: float, axis: str) -> tuple[np.ndarray, tuple]:
    """The photo as a camera turned beside (`axis` "yaw": the right side `share` shorter and nearer) or
    below it ("pitch": the top `share` narrower) would see it: a homography of the whole photo, no seam;
    the face box follows (the bounding box of its moved corners)."""
    height, width = image.shape[:2]
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    moved = corners.copy()
    if axis == "yaw":
        moved[1:3, 0] -= share * width / 2
        moved[1, 1] += share * height / 2
        moved[2, 1] -= share * height / 2
    else:
        moved[0, 0] += share * width / 2
        moved[1, 0] -= share * width / 2
    matrix = cv2.getPerspectiveTransform(corners, moved)
    warped = cv2.warpPerspective(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    x0, y0, x1, y1 = box
    points = cv2.perspectiveTransform(np.float32([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]), matrix)[0]
    (bx0, by0), (bx1, by1) = points.min(axis=0), points.max(axis=0)
    return warped, (round(bx0), round(by0), round(bx1), round(by1))


def _graded(rgb: np.ndarray) -> np.ndarray:
    """A film grade: shadows pushed to teal, highlights to orange (red +-10 %, blue -+10 % by luminance)."""
    light = rgb.astype(np.float32).mean(axis=2, keepdims=True) / 255.0
    tilt = 0.2 * (light - 0.5)  # -0.1 in the darkest shadows, +0.1 in the brightest highlights
    out = rgb.astype(np.float32) * np.concatenate([1 + tilt, np.ones_like(tilt), 1 - tilt], axis=2)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def _hazy(rgb: np.ndarray, contrast: float) -> np.ndarray:
    """Contrast cut to `contrast` about a lifted grey (blacks raised), as a backlit webcam's veiling glare."""
    out = 255 - (255 - rgb.astype(np.float32)) * contrast
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def _saturated(rgb: np.ndarray, factor: float) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 1] = np.clip(hsv[..., 1] * factor, 0, 255)
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)


def _at_edge(scene: Scene, inside: float, side: str = "left") -> tuple[np.ndarray, tuple]:
    """The photo cut at `side` so that `inside` of the face stays in the frame (1: the face touching the
    edge), as a person at the edge of a shot (mask_gen.synth.selfblend.framing.edge_face)."""
    blank = np.zeros(scene.image.shape[:2], np.float32)
    image, _, box = edge_face(scene.image, blank, scene.box, inside, side)
    return image, box


class Scene:
    """One validation photo and what its conditions share, each made once and only when one needs it: the
    person's matte and another held-out photo's texture behind them."""

    def __init__(self, photos: list, number: int) -> None:
        photo = photos[number]
        self.photos, self.number = photos, number
        self.image, self.box = read_image(photo.path), photo.box
        self.landmarks = photo.landmark_array()
        self.face_width = self.box[2] - self.box[0]
        self.sigma = 0.025 * self.face_width  # the backdrop's defocus

    @functools.cached_property
    def matte(self) -> np.ndarray:
        return person_matte(self.image, self.box, self.landmarks)

    @functools.cached_property
    def other(self):
        """The next held-out photo and its face box."""
        photo = self.photos[(self.number + 1) % len(self.photos)]
        return read_image(photo.path), photo.box

    @functools.cached_property
    def texture(self) -> np.ndarray:
        return scene_texture(self.other[0], self.image.shape, np.random.default_rng(self.number))

    @property
    def skin(self) -> np.ndarray:
        """The middle of the next held-out person's face (half its box's width): real skin, as a hand is."""
        image, (x0, y0, x1, y1) = self.other
        cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 4
        return image[round(cy - half) : round(cy + half), round(cx - half) : round(cx + half)]

    def occluded(
        self, filler: np.ndarray, centre: tuple[float, float], axes: tuple[float, float], angle: float
    ):
        """The photo with an ellipse of `filler` before the face; `centre` and `axes` in face-box units
        (0, 0 its top-left corner; 1, 1 its bottom-right)."""
        x0, y0, x1, y1 = self.box
        w, h = x1 - x0, y1 - y0
        image, _ = occluded(
            self.image, filler, (x0 + centre[0] * w, y0 + centre[1] * h), (axes[0] * w, axes[1] * h), angle
        )
        return image

    @property
    def room(self) -> np.ndarray:
        return defocused(self.texture, self.sigma)

    def far(self, width: int) -> tuple[np.ndarray, tuple]:
        small, _, far_box = far_face(self.image, np.zeros(self.image.shape[:2], np.float32), self.box, width)
        return small, far_box


def _whole(change):
    """A condition that changes the whole photo and leaves the face box where it is."""
    return lambda scene: (change(scene), scene.box)


# condition name -> (scene, face box) of a Scene; the benchmark runs and reports them in this order
CONDITIONS = {
    "as photographed": _whole(lambda s: s.image),
    "backdrop defocused": _whole(lambda s: composite(s.image, s.matte, defocused(s.image, s.sigma))),
    "other texture": _whole(lambda s: composite(s.image, s.matte, s.texture)),
    "other texture defocused": _whole(lambda s: composite(s.image, s.matte, s.room)),
    "person brighter": _whole(lambda s: composite(_gamma(s.image, 0.7), s.matte, s.image)),
    "person darker": _whole(lambda s: composite(_gamma(s.image, 1.4), s.matte, s.image)),
    "person warmer": _whole(lambda s: composite(_warmer(s.image, 0.12), s.matte, s.image)),
    "face 45 px wide": lambda s: s.far(45),
    "face 35 px wide": lambda s: s.far(35),
    # out of focus: sigma a share of the face's width
    "face out of focus 2 %": _whole(lambda s: defocused(s.image, 0.02 * s.face_width)),
    "face out of focus 3 %": _whole(lambda s: defocused(s.image, 0.03 * s.face_width)),
    "coded hard: H.264 CRF 45": _whole(lambda s: h264_still(s.image, 45)),
    "coded hard: JPEG quality 10": _whole(lambda s: jpeg_roundtrip(s.image, 10)),
    "clip still, H.264 CRF 35": _whole(
        lambda s: h264_sequence([composite(s.image, s.matte, s.room)] * CLIP_FRAMES, CLIP_CRF)
    ),
    "clip camera pans, H.264 CRF 35": _whole(
        lambda s: h264_clip(composite(s.image, s.matte, s.room), CLIP_CRF, CLIP_FRAMES, CLIP_STEP)
    ),
    "clip person moves, H.264 CRF 35": _whole(
        lambda s: h264_sequence(person_moving(s.image, s.matte, s.room), CLIP_CRF)
    ),
    "turned: perspective 20 %": lambda s: _perspective(s.image, s.box, 0.2, "yaw"),
    "turned: perspective 35 %": lambda s: _perspective(s.image, s.box, 0.35, "yaw"),
    "seen from below: perspective 25 %": lambda s: _perspective(s.image, s.box, 0.25, "pitch"),
    "colour graded teal-orange": _whole(lambda s: _graded(s.image)),
    "saturation x1.6": _whole(lambda s: _saturated(s.image, 1.6)),
    "denoised: bilateral 30": _whole(lambda s: bilateral(s.image, 30, 0.04 * s.face_width)),
    "denoised: bilateral 60": _whole(lambda s: bilateral(s.image, 60, 0.06 * s.face_width)),
    "denoised: non-local means 15": _whole(lambda s: nl_means(s.image, 15)),
    "hazy: contrast 0.6": _whole(lambda s: _hazy(s.image, 0.6)),
    "sharpened: unsharp 0.5": _whole(lambda s: unsharp(s.image, 0.5, 0.02 * s.face_width)),
    "sharpened: unsharp 1.5": _whole(lambda s: unsharp(s.image, 1.5, 0.02 * s.face_width)),
    "hand before the chin": _whole(lambda s: s.occluded(s.skin, (0.5, 1.0), (0.3, 0.2), 0)),
    "hand beside the cheek": _whole(lambda s: s.occluded(s.skin, (0.05, 0.65), (0.15, 0.3), 15)),
    "object before the mouth": _whole(lambda s: s.occluded(s.texture, (0.5, 0.95), (0.1, 0.35), 0)),
    "face at the frame's left edge": lambda s: _at_edge(s, 1.0),
    "face 80 % in the frame": lambda s: _at_edge(s, 0.8),
    "face 60 % in the frame": lambda s: _at_edge(s, 0.6),
    "face 80 % in the frame, forehead cut by the top": lambda s: _at_edge(s, 0.8, "top"),
    "interlaced: fields 2 px apart": _whole(lambda s: woven_interlaced(s.image, 2)),
    "interlaced: fields 6 px apart": _whole(lambda s: woven_interlaced(s.image, 6)),
    # as the video reader reads a frame it decodes as interlaced: its top field, line-doubled
    "interlaced 2 px, deinterlaced": _whole(lambda s: deinterlaced(woven_interlaced(s.image, 2))),
    "interlaced 6 px, deinterlaced": _whole(lambda s: deinterlaced(woven_interlaced(s.image, 6))),
    "as photographed, deinterlaced": _whole(lambda s: deinterlaced(s.image)),
}


def backdrop_photos(face_dir: Path, record, only: str = "") -> dict[str, list[np.ndarray]]:
    """Each condition's real crops of the validation people (the record's crop rule); with `only`, just
    the conditions whose name contains it."""
    photos = split_people(read_face_index(face_dir), 0.1)["val"]
    names = [name for name in CONDITIONS if only in name]
    crops: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for number in range(len(photos)):
        photo = Scene(photos, number)
        for name in names:
            scene, box = CONDITIONS[name](photo)
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
    parser.add_argument("--only", default="", help="just the conditions whose name contains this")
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
    crops = backdrop_photos(args.faces, record, args.only)
    if not crops:
        parser.exit(1, f"no condition's name contains {args.only!r}\n")
    results = {}
    print(
        f"{len(next(iter(crops.values())))} real held-out crops per condition; flagged at each model's thresholds"
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
