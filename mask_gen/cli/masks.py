"""`forgeloc mask-gen`: a training set of face crops and masks from real/fake pairs."""

from __future__ import annotations

import argparse
import sys

from mask_gen.config import MaskGenConfig
from mask_gen.core import MaskConfig
from mask_gen.datasets import ADAPTERS
from mask_gen.writer import Summary

ON_INTERRUPT = "interrupted: the pairs finished so far are kept in OUT; run the same command again to resume"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", help="dataset folder (FF++, DFDC, Celeb-DF) or a CSV of fake,real pairs")
    parser.add_argument("--out", required=True, help="output folder (images/, masks/, manifest.csv)")
    parser.add_argument("--layout", default="auto", choices=["auto", *ADAPTERS])
    sampling = parser.add_mutually_exclusive_group()
    sampling.add_argument(
        "--frames", type=int, default=32, help="evenly spaced frames per video (default 32; 0 = all)"
    )
    sampling.add_argument("--every", type=int, default=0, help="take every k-th frame instead")
    parser.add_argument(
        "--crop",
        choices=["face", "none"],
        default="face",
        help="crop on the face found in the real frame (default), or use the whole frame",
    )
    parser.add_argument(
        "--margin", type=float, default=1.3, help="crop side / YuNet face box height (default 1.3)"
    )
    from localize.cli.inspect import add_face_arguments

    add_face_arguments(parser)
    parser.add_argument(
        "--max-faces",
        type=int,
        default=1,
        help="people per frame cropped, largest first (default 1; DFDC clips may show two); the second "
        "face's samples get ids ending -p1",
    )
    parser.add_argument("--size", type=int, default=256, help="side of the written crops (default 256)")
    parser.add_argument(
        "--threshold",
        default=str(MaskConfig.threshold),
        help=f"RGB distance cut, or 'auto' per pair from its noise (default {MaskConfig.threshold})",
    )
    parser.add_argument(
        "--min-region",
        type=int,
        default=MaskConfig.min_region_px,
        help="smallest region kept, in pixels (default 100)",
    )
    parser.add_argument(
        "--grow",
        default="auto" if MaskConfig.grow == "auto" else "off",
        help="hysteresis: grow the regions above --threshold through the noise measured around them "
        f"('auto', default {'auto' if MaskConfig.grow == 'auto' else 'off'}), through a fixed low cut (a "
        "number), or not at all ('off': the seed's single cut)",
    )
    parser.add_argument(
        "--fill-holes",
        action=argparse.BooleanOptionalAction,
        default=MaskConfig.fill_holes,
        help=f"fill holes inside mask regions (default {'on' if MaskConfig.fill_holes else 'off'})",
    )
    parser.add_argument(
        "--masks",
        choices=["diff", "dataset"],
        default="diff",
        help="masks from the real/fake difference (default) or the dataset's own mask videos (FF++ masks/)",
    )
    parser.add_argument(
        "--compare-masks",
        action="store_true",
        help="with --masks dataset: also make the difference masks on the same crops and report their "
        "mean Dice against the dataset's, per method (closing screen and OUT/mask_agreement.json)",
    )
    parser.add_argument(
        "--split-by",
        choices=["dataset", "hash"],
        default="dataset",
        help="the dataset's splits where it has them (default), or a hash of the source video id",
    )
    parser.add_argument(
        "--splits",
        default="train,val,test",
        help="only the pairs in these splits (comma-separated; default all): e.g. val, to make a set to "
        "choose checkpoints on without decoding the rest",
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--shard", default="0/1", help="process shard K of N, K counting from 0 (0/4 ... 3/4; default 0/1)"
    )


def _config(args: argparse.Namespace) -> MaskGenConfig:
    from localize.common.errors import ConfigError

    threshold: float | str = args.threshold
    if threshold != "auto":
        try:
            threshold = float(threshold)
        except ValueError:
            raise ConfigError(f"--threshold must be a number or 'auto', got {args.threshold!r}") from None
    grow: float | str | None = None if args.grow == "off" else args.grow
    if grow not in (None, "auto"):
        try:
            grow = float(grow)
        except ValueError:
            raise ConfigError(f"--grow must be 'auto', 'off' or a number, got {args.grow!r}") from None
    mask = MaskConfig(
        threshold=threshold, grow=grow, min_region_px=args.min_region, fill_holes=args.fill_holes
    )
    return MaskGenConfig(
        frames=args.frames,
        every=args.every,
        crop=args.crop,
        margin=args.margin,
        max_faces=args.max_faces,
        detector=args.face_detector,
        face_model=args.face_model,
        size=args.size,
        mask=mask,
        masks=args.masks,
        compare_masks=args.compare_masks,
        split_by=args.split_by,
    )


def print_summary(summary: Summary, out: str) -> None:
    """The closing screen: counts, mean mask area and failures grouped by reason."""
    failed = sum(len(errors) for errors in summary.failed.values())
    print(f"\npairs: {summary.pairs} ({summary.skipped_finished} already done, {failed} failed)")
    print(
        f"frames written: {summary.fake_frames} fake, {summary.real_frames} real "
        f"({summary.duplicates_removed} duplicates removed)"
    )
    print(f"mean mask area: {summary.mean_mask_area:.0f} px of fake crops")
    if summary.no_face_frames:
        print(f"no face found (whole frame used): {summary.no_face_frames} frames")
    for reason, errors in sorted(summary.failed.items()):
        print(f"failed, {reason}: {len(errors)}")
        for error in errors[:10]:
            print(f"  {error}")
        if len(errors) > 10:
            print(f"  ... {len(errors) - 10} more in the manifest")
    if summary.agreement:
        print("difference masks against the dataset's (mean Dice per crop, current mask settings):")
        for group, (dice, count) in summary.agreement.items():
            print(f"  {group}: {dice:.3f} over {count} crops")
    print(f"manifest: {out}/manifest.csv")


def _print_detector(out: str) -> None:
    """The face detector that found the crops, as OUT/dataset.json records it."""
    import json
    from pathlib import Path

    try:
        found = json.loads((Path(out) / "dataset.json").read_text()).get("face_detector")
    except (OSError, ValueError):
        return
    if found:
        print(f"faces: {found['detector']} ({found['sha256']})")


def parse_splits(text: str) -> set[str]:
    """`--splits`: a comma-separated subset of train, val and test."""
    from localize.common.errors import ConfigError
    from mask_gen.datasets.pair import SPLITS

    wanted = {part.strip() for part in text.split(",") if part.strip()}
    if not wanted or wanted - set(SPLITS):
        raise ConfigError(f"--splits must be some of {','.join(SPLITS)}, got {text!r}")
    return wanted


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from localize.common.errors import ConfigError
    from mask_gen.datasets import load_pairs, split_of
    from mask_gen.writer import build_dataset, parse_shard, shard_pairs

    config = _config(args)
    index, count = parse_shard(args.shard)
    wanted = parse_splits(args.splits)
    pairs = [pair for pair in load_pairs(args.data, args.layout) if split_of(pair, config.split_by) in wanted]
    if not pairs:
        raise ConfigError(f"no pair of {args.data} is in the split(s) {', '.join(sorted(wanted))}")
    pairs = shard_pairs(pairs, index, count)

    def progress(stream, total):
        return tqdm(stream, total=total, desc="pairs", unit="pair", file=sys.stderr)

    summary = build_dataset(
        pairs, args.out, config, workers=args.workers, progress=progress, source=args.data
    )
    print_summary(summary, args.out)
    _print_detector(args.out)
    return 1 if summary.failed else 0
