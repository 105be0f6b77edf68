"""Interlaced frames (1080i camcorders, broadcast and DV captures) against the bundled model, on a held-out
draw of face crops: each crop as it is, woven as an interlaced frame of a camera panning (the odd lines a
field later, 1 or 3 px further on: combing), and each of those rebuilt from its top field as the video
reader does for frames FFmpeg decodes as interlaced (localize.media.interlace.deinterlaced). Frame ROC-AUC of the
peak P(fake), and the share of real and fake crops flagged at the bundle's thresholds.

The draw is the held-out footage draw of git show 3489ee4:docs/default_model_eval/draws.sh (validation people, seed 2):

    forgeloc synth data/sbi_test160_footage --self-blend ../shared/data/faces --splits val --seed 2 \\
        --input-size 160 --degrade footage --forgery self_blend
    python benchmarks/interlaced_video.py [--data data/sbi_test160_footage] [--model BUNDLE]

benchmarks/scene_false_alarms.py --only interlaced measures the same on whole held-out photos.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from localize.media.interlace import deinterlaced
from mask_gen.synth.selfblend.scene import woven_interlaced

# condition -> what happens to a crop
CONDITIONS = {
    "as stored (progressive)": lambda crop: crop,
    "progressive, deinterlaced anyway": deinterlaced,
    "interlaced, fields 1 px apart": lambda crop: woven_interlaced(crop, 1),
    "interlaced 1 px, deinterlaced": lambda crop: deinterlaced(woven_interlaced(crop, 1)),
    "interlaced, fields 3 px apart": lambda crop: woven_interlaced(crop, 3),
    "interlaced 3 px, deinterlaced": lambda crop: deinterlaced(woven_interlaced(crop, 3)),
}


def main() -> None:
    from sklearn.metrics import roc_auc_score

    from localize.inference.bundle import load_bundle
    from localize.inference.decide import frame_is_fake
    from localize.inference.localizer import default_bundle_path
    from localize.media.images import read_image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", default="data/sbi_test160_footage", help="a held-out draw (mask-gen format)"
    )
    parser.add_argument(
        "--model", default=str(default_bundle_path()), help="bundle (default: the bundled one)"
    )
    args = parser.parse_args()
    folder = Path(args.data)
    rows = [r for r in csv.DictReader((folder / "manifest.csv").open()) if r["status"] == "ok"]
    crops = [read_image(folder / r["image"]) for r in rows]
    labels = np.array([int(r["label"]) for r in rows])
    bundle = load_bundle(args.model)
    threshold, min_region = bundle.thresholds["threshold"], bundle.thresholds["min_region_px"]
    print(f"{len(rows)} held-out crops of {folder} ({labels.sum()} self-blends); {args.model}")
    print("| condition | frame AUC | real flagged | fakes flagged |")
    print("| --- | --- | --- | --- |")
    for name in CONDITIONS:
        maps = bundle.predict([CONDITIONS[name](crop) for crop in crops], 32)
        peaks = np.array([m.max() for m in maps])
        flags = np.array([frame_is_fake(m, threshold, min_region) for m in maps])
        print(
            f"| {name} | {roc_auc_score(labels, peaks):.3f} | {flags[labels == 0].mean():.1%} "
            f"| {flags[labels == 1].mean():.1%} |"
        )


if __name__ == "__main__":
    main()
