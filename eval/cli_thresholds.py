"""`forgeloc thresholds BUNDLE --data DIR`: search the frame rule's thresholds on a split, store them."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bundle", help="segmentation model bundle (NAME, NAME.json)")
    parser.add_argument("--data", required=True, help="a `forgeloc mask-gen` dataset")
    parser.add_argument("--split", default="val", help="split to search on (default val)")
    parser.add_argument(
        "--max-real-flagged",
        type=float,
        help="only thresholds that call at most this share of the split's real frames fake (e.g. 0.05)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the choice, leave the bundle as it is")


def run(args: argparse.Namespace) -> int:
    from eval.predict import outputs
    from eval.thresholds import check_max_real_flagged, search, search_mask_threshold, write_thresholds
    from localize.common.errors import ConfigError
    from localize.inference.bundle import load_bundle
    from mask_gen.manifest import split_rows

    check_max_real_flagged(args.max_real_flagged)  # before the model runs over the split
    bundle = load_bundle(args.bundle)
    if bundle.spec.task != "segmentation":
        raise ConfigError(f"{bundle.meta['model']} is a classifier: the region rule does not apply")
    rows = split_rows(args.data, args.split)
    maps, masks = zip(*outputs(bundle, args.data, rows), strict=True) if rows else ((), ())
    choice = search(
        maps,
        [r.label for r in rows],
        max_real_flagged=args.max_real_flagged,
        input_size=bundle.preprocessing.input_size,
    )
    print(f"{len(rows)} {args.split} frames; frame F1 by threshold (rows) and min region px (columns):")
    regions = sorted({m for _, m in choice.grid})
    print("        " + "".join(f"{m:>8}" for m in regions))
    for threshold in sorted({t for t, _ in choice.grid}):
        print(f"{threshold:>8}" + "".join(f"{choice.grid[(threshold, m)]:8.3f}" for m in regions))
    print(
        f"best: threshold {choice.threshold}, min region {choice.min_region_px} px, frame F1 {choice.f1:.3f}, "
        f"real frames flagged {choice.real_flagged:.3f}"
    )
    size = bundle.preprocessing.input_size
    masks_choice = search_mask_threshold(maps, masks, choice.threshold, choice.min_region_px, size)
    print("\n".join(masks_choice.lines()))
    if not args.dry_run:
        written = write_thresholds(args.bundle, choice, args.split, args.data, masks_choice)
        print(f"written to {written}")
    return 0
