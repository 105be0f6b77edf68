"""Choose a bundle's frame-rule thresholds on real material one may choose on: the FF++ c40 validation
pairs (`forgeloc mask-gen ... --splits val` crops) and real video frames of the real_faces people.

    python benchmarks/choose_thresholds.py BUNDLE [--forgeries data/ffpp_c40_val]
        [--real-video data/real_faces_idx] [--people val|all] [--max-flagged 0.05] [--write]

The frame rule (issue 39, item 4): among the (threshold, min region) pairs of `forgeloc thresholds`' grid
that flag at most `--max-flagged` of the FF++ real crops *and* at most that share of the real video
frames, the best frame F1 (FF++ fakes against both kinds of real); when none is under the cap, the
pair flagging fewest. Then the mask threshold: the one whose grown masks best match the FF++ fakes'
`mask-gen` masks (mean Dice over the fakes the chosen pair flags; `eval.thresholds.search_mask_threshold`),
so the verdict stays strict and the mask covers the edit. Real video frames are the `frames/` of a `forgeloc synth --face-index` folder,
run through the product's own path (`Localizer.predict_image`: YuNet, its crop, flip averaging) and
judged on the main face's crop at the model's input size, as `forgeloc inspect` judges them.
`--people val` keeps the people a training run holds out (`val_fraction` 0.2, as
configs/sbi_real_faces.yaml); `all` suits a model that never trained on real_faces. `--write` stores
the pair in the bundle's json. These are choosing figures, never test figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tqdm import tqdm

from eval.predict import outputs
from eval.thresholds import search, search_mask_threshold, write_thresholds
from localize.faces.boxes import crop
from localize.inference.bundle import load_bundle
from localize.inference.localizer import Localizer
from localize.media.images import read_image
from mask_gen.manifest import split_rows
from mask_gen.synth.selfblend.portraits import read_face_index, split_people


def video_maps(bundle_path: Path, folder: Path, people: str, fraction: float) -> list[np.ndarray]:
    """The main face crop's P(fake) map of every video frame the folder's index lists for `people`."""
    photos = read_face_index(folder)
    if people == "val":
        photos = split_people(photos, fraction)["val"]
    frames = sorted({p.path for p in photos if "frames" in Path(p.path).parts})
    localizer = Localizer.load(bundle_path)
    maps = []
    for path in tqdm(frames, desc="real video frames", unit="frame"):
        prediction = localizer.predict_image(read_image(path))
        maps.append(crop(prediction.prob, prediction.box))
    return maps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--forgeries", type=Path, default=Path("data/ffpp_c40_val"))
    parser.add_argument("--real-video", type=Path, default=Path("data/real_faces_idx"))
    parser.add_argument("--people", choices=("val", "all"), default="val")
    parser.add_argument("--val-fraction", type=float, default=0.2)
    parser.add_argument("--max-flagged", type=float, default=0.05)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    bundle = load_bundle(args.bundle)
    rows = split_rows(args.forgeries, "val")
    maps, masks = map(list, zip(*outputs(bundle, args.forgeries, rows), strict=True))
    labels = [r.label for r in rows]
    video = video_maps(args.bundle, args.real_video, args.people, args.val_fraction)
    choice = search(
        maps + video,
        labels + [0] * len(video),
        max_real_flagged=args.max_flagged,
        input_size=bundle.preprocessing.input_size,
        groups=["ffpp"] * len(rows) + ["video"] * len(video),
    )
    print(
        f"{len(rows)} FF++ val crops ({labels.count(0)} real), {len(video)} real video frames ({args.people})"
    )
    print(f"  FF++ real crops flagged: {choice.flagged_by_group.get('ffpp', 0.0):.1%}")
    print(f"  FF++ fake crops flagged: {choice.fakes_found:.1%}")
    print(f"  real video frames flagged: {choice.flagged_by_group.get('video', 0.0):.1%}")
    print(
        f"chosen: threshold {choice.threshold}, min region {choice.min_region_px} px, frame F1 {choice.f1:.3f}"
    )
    size = bundle.preprocessing.input_size
    mask_choice = search_mask_threshold(maps, masks, choice.threshold, choice.min_region_px, size)
    print("\n".join(mask_choice.lines()))
    if args.write:
        people = "held-out people" if args.people == "val" else "people"
        note = f"{args.forgeries} + the video frames of {args.real_video}'s {people}"
        print(f"written to {write_thresholds(args.bundle, choice, 'val', note, mask_choice)}")


if __name__ == "__main__":
    main()
