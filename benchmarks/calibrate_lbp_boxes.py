"""Calibrate the LBP cascade's boxes onto YuNet's convention (localize.faces.detectors.LBP_TO_YUNET).

On the training portraits (`../shared/data/faces`, whose index.csv holds YuNet's box for each photo),
the LBP cascade is run and, where it finds the face (its box holds YuNet's centre), the median offset
and size ratios of YuNet's box against the cascade's square are printed. Training material only: the
real test clips are never used to tune anything.

    python benchmarks/calibrate_lbp_boxes.py [--faces ../shared/data/faces] [--photos 600]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from localize.faces.tracker import LBPCascadeDetector, box_centre, holds
from localize.media.images import read_image
from mask_gen.synth.selfblend.portraits import read_face_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", default="../shared/data/faces")
    parser.add_argument("--photos", type=int, default=600)
    args = parser.parse_args()
    photos = read_face_index(args.faces)
    chosen = [photos[i] for i in np.linspace(0, len(photos) - 1, min(args.photos, len(photos))).astype(int)]
    cascade = LBPCascadeDetector()
    ratios = []
    for photo in chosen:
        image = read_image(photo.path)
        found = [b for b in cascade.detect(image) if holds(b, box_centre(photo.box))]
        if not found:
            continue
        x0, y0, x1, y1 = found[0]
        side = max(x1 - x0, y1 - y0)
        (cx, cy), (yx, yy) = box_centre(found[0]), box_centre(photo.box)
        w, h = photo.box[2] - photo.box[0], photo.box[3] - photo.box[1]
        ratios.append(((yx - cx) / side, (yy - cy) / side, w / side, h / side))
    values = np.array(ratios)
    median = dict(zip(("dx", "dy", "kw", "kh"), np.round(np.median(values, axis=0), 3).tolist(), strict=True))
    spread = np.round(np.percentile(values, [25, 75], axis=0), 3).tolist()
    print(
        json.dumps({"photos": len(chosen), "both_found": len(ratios), "LBP_TO_YUNET": median, "iqr": spread})
    )


if __name__ == "__main__":
    main()
