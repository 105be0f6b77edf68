"""How well localize.media.interlace.combing tells combed frames from progressive ones, on the validation
portraits (held-out people; never the real media in ../shared): each photo as photographed, coded, grainy
or enlarged (progressive), and woven as an interlaced frame of a camera panning 1, 2 or 3 px between its
fields (mask_gen.synth.selfblend.scene.woven_interlaced), as it is and re-encoded as progressive H.264 (the combing
baked in, no interlaced flag). Prints, per condition, the spread of combing() and the share of photos
above localize.media.interlace.COMBED, the threshold that leaves the given share of progressive photos above
it, and the time combing() takes on a 1280x720 frame.

    python benchmarks/combing.py [--photos N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from localize.media.images import read_image
from localize.media.interlace import COMBED, combing
from mask_gen.synth.codecs.compression import jpeg_roundtrip
from mask_gen.synth.codecs.h264 import h264_still
from mask_gen.synth.codecs.perturbations import KINDS
from mask_gen.synth.selfblend.portraits import read_face_index, split_people
from mask_gen.synth.selfblend.scene import woven_interlaced

FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"


def grain(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """The photo with Gaussian grain of `sigma` grey levels (the `noise` perturbation, seeded by the image)."""
    return KINDS["noise"].image(rgb, sigma)


def enlarged(rgb: np.ndarray) -> np.ndarray:
    """The photo at twice its size (a small face blown up, as in much footage)."""
    return cv2.resize(rgb, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


PROGRESSIVE = {
    "as photographed": lambda rgb: rgb,
    "JPEG quality 40": lambda rgb: jpeg_roundtrip(rgb, 40),
    "H.264 CRF 23": lambda rgb: h264_still(rgb, 23),
    "H.264 CRF 35": lambda rgb: h264_still(rgb, 35),
    "grain 8, H.264 CRF 23": lambda rgb: h264_still(grain(rgb, 8), 23),
    "grain 20": lambda rgb: grain(rgb, 20),
    "enlarged 2x, H.264 CRF 23": lambda rgb: h264_still(enlarged(rgb), 23),
}


def woven(apart: int, crf: int | None = None, sigma: float = 0.0):
    """A condition: the photo (with grain of `sigma`) woven `apart` px between its fields, then coded at `crf`."""

    def make(rgb: np.ndarray) -> np.ndarray:
        frame = woven_interlaced(grain(rgb, sigma) if sigma else rgb, apart)
        return frame if crf is None else h264_still(frame, crf)

    return make


COMBED_CONDITIONS = {
    f"woven {apart} px{'' if crf is None else f', H.264 CRF {crf}'}": woven(apart, crf)
    for apart in (1, 2, 3)
    for crf in (None, 23, 35)
}
COMBED_CONDITIONS["woven 1 px, grain 8, H.264 CRF 23"] = woven(1, 23, sigma=8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=0, help="the first N validation photos (0: all)")
    parser.add_argument(
        "--share", type=float, default=0.01, help="progressive photos allowed above the threshold"
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    photos = split_people(read_face_index(FACES), 0.1)["val"]
    photos = photos[: args.photos] if args.photos else photos
    values: dict[str, list[float]] = {}
    for photo in photos:
        rgb = read_image(photo.path)
        for name, make in {**PROGRESSIVE, **COMBED_CONDITIONS}.items():
            values.setdefault(name, []).append(combing(make(rgb)))
    progressive = np.concatenate([values[name] for name in PROGRESSIVE])
    woven = np.concatenate([values[name] for name in COMBED_CONDITIONS])
    threshold = float(np.quantile(progressive, 1 - args.share))
    print(f"{len(photos)} validation photos; COMBED = {COMBED}")
    print(f"threshold leaving {args.share:.0%} of the progressive photos above it: {threshold:.3f}\n")
    noise = [combing(grain(np.full((720, 1280, 3), grey, np.uint8), 40)) for grey in (126, 128, 130)]
    print(f"white noise (sigma 40, 1280x720): {max(noise):.3f}\n")
    frame = cv2.resize(read_image(photos[0].path), (1280, 720), interpolation=cv2.INTER_CUBIC)
    start = time.perf_counter()
    for _ in range(50):
        combing(frame)
    milliseconds = (time.perf_counter() - start) / 50 * 1000
    print(f"combing() on a 1280x720 frame: {milliseconds:.1f} ms (mean of 50)\n")
    print("| threshold | progressive photos above | woven photos above |\n| --- | --- | --- |")
    for cut in (1.05, 1.1, 1.25, 1.5, 2.0):
        print(f"| {cut} | {(progressive > cut).mean():.1%} | {(woven > cut).mean():.1%} |")
    print()
    print("| condition | median | 5th pct | 95th pct | above COMBED |\n| --- | --- | --- | --- | --- |")
    rows = {}
    for name, found in values.items():
        found = np.array(found)
        rows[name] = {
            "median": float(np.median(found)),
            "p5": float(np.percentile(found, 5)),
            "p95": float(np.percentile(found, 95)),
            "above": float((found > COMBED).mean()),
        }
        row = rows[name]
        print(f"| {name} | {row['median']:.2f} | {row['p5']:.2f} | {row['p95']:.2f} | {row['above']:.1%} |")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"combed": COMBED, "threshold": threshold, "ms_720p": milliseconds, "rows": rows}, indent=2
            )
        )


if __name__ == "__main__":
    main()
