"""Choose make_mask's defaults on several sources at once, by the worst of them.

    python benchmarks/calibrate_mask_threshold.py [--clips 32] [--seed 0] [--confirm-seed 11] [--tie 0.005]
        [--faces DIR] [--examples DIR] [--validation FFPP_ROOT] [--mask-videos FFPP_ROOT] [--top 12]

Sources (mask_gen.synth.calibration): the project's synthetic clips (bundled photos, four manipulations)
and a second synthetic family made differently (face portraits from --faces, default
../shared/data/faces), each with real and fake passed separately through no compression, JPEG 90,
H.264 CRF 23 and CRF 40; FaceForensics++'s README frames with their official masks (--examples, default
../shared/data/external/ondyari__FaceForensics/images: test material, reported and never ranked on); with --mask-videos ROOT, a dataset's own mask
videos (FF++ `masks/videos/`), reported beside the others; real FF++ footage one may choose on
(--validation, default ../shared/data/validation/ffpp_c40: its originals, 8 frames each, against their own
H.264 re-encode at CRF 23 and CRF 40), scored as the share of those unchanged frames the mask marks
(false area). A source whose folder is absent is skipped with a line saying so.

Every candidate setting (the seed's single cut, fixed or automatic; hysteresis variants with hole
filling) is scored as mean per-frame Dice on every source. A candidate's score is its *worst* source: the
smallest margin over the source's target (TARGETS: both families uncompressed, at JPEG 90 and at CRF 23),
so no source is traded for the others. CRF 40 has no target; a candidate below the
seed's fixed cut there is not ranked, nor is one marking more than FALSE_AREA_LIMIT of the validation
originals' frames against their CRF 23 re-encode (when those are present). The best candidates by that rule are printed, then the current
default and the seed's own settings for comparison. Candidates within --tie of the best are tied (the
draw decides between them, not the method): they are scored again on an independent draw of the
synthetic clips (--confirm-seed) and the best there is chosen.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import time
from pathlib import Path

import numpy as np

from localize.common.errors import ForgelocError
from mask_gen.core import MaskConfig
from mask_gen.synth.calibration import (
    CONDITIONS,
    dataset_mask_clips,
    degraded,
    distance_maps,
    example_clips,
    maps_dice,
    maps_false_area,
    original_clips,
    portrait_clips,
    synthetic_clips,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FACES = SHARED / "faces"
EXAMPLES = SHARED / "external" / "ondyari__FaceForensics" / "images"
# The targets (issue 14): Dice >= 0.87 at JPEG 90 (and so uncompressed) and >= 0.85 at H.264 CRF 23 on
# both synthetic families. CRF 40 has none: it is reported. FF++'s README frames (goal: a mean >= 0.80)
# are test material (../shared/data/external): reported beside the choice, never ranked on.
TARGETS = {"none": 0.87, "jpeg90": 0.87, "crf23": 0.85}
VALIDATION = SHARED / "validation" / "ffpp_c40"
# Real FF++ footage with nothing changed, re-encoded as an upload is (issue 41: a real clip against its own
# transformed copy marks <= 0.5 % of the frame): a candidate above it on the CRF 23 re-encode is not ranked.
FALSE_AREA = "ffpp_c40 originals/{} false area"
FALSE_AREA_LIMIT = 0.005


def candidates() -> dict[str, MaskConfig]:
    """The settings compared: the seed's single cut (fixed or automatic, with and without hole filling)
    and hysteresis variants around the default (seed cut, noise sigmas, band around the seeds)."""
    found = {f"fixed {t:g}": MaskConfig(threshold=t, grow=None, fill_holes=False) for t in (6.0, 8.0, 12.0)}
    found["auto"] = MaskConfig(threshold="auto", grow=None, fill_holes=False)
    found["fixed 8 fill"] = MaskConfig(threshold=8.0, grow=None, fill_holes=True)
    found["fixed 8 close 5 fill"] = MaskConfig(threshold=8.0, grow=None, close_kernel=5, fill_holes=True)
    for threshold, grow_k, outer in itertools.product((12.0, 14.0, 16.0, "auto"), (1.5, 2.0, 2.5), (40, 56)):
        name = (
            f"{threshold if threshold == 'auto' else f'{threshold:g}'} grow {grow_k:g} ring {outer} floor 4"
        )
        found[name] = MaskConfig(
            threshold=threshold, grow="auto", grow_k=grow_k, grow_ring=(3, outer), grow_floor=4.0
        )
    for threshold, grow_k, outer in itertools.product((14.0, 16.0), (2.0, 2.5), (40, 56)):
        name = f"{threshold:g} grow {grow_k:g} ring {outer} floor 3"
        found[name] = MaskConfig(
            threshold=threshold, grow="auto", grow_k=grow_k, grow_ring=(3, outer), grow_floor=3.0
        )
    found["16 grow 2 ring 40 floor 4, no fill"] = MaskConfig(threshold=16.0, grow="auto", fill_holes=False)
    return found


def sources(args: argparse.Namespace, seed: int) -> dict[str, list]:
    """Source name ("family/condition" or "ffpp/METHOD") -> precomputed (distance, truth) maps; the
    synthetic families drawn with `seed`."""
    families = {"synthetic": lambda: synthetic_clips(args.clips, seed=seed)}
    if args.faces.is_dir():
        families["portraits"] = lambda: portrait_clips(args.faces, args.clips, seed=seed)
    else:
        print(f"skipped the portrait family: {args.faces} is absent")
    found = {}
    for family, make in families.items():
        clips = make()
        for condition in CONDITIONS:
            found[f"{family}/{condition}"] = distance_maps(degraded(clips, condition))
    try:
        for clip in example_clips(args.examples):
            found[f"ffpp/{clip.kind}"] = distance_maps([clip])
    except ForgelocError as error:
        print(f"skipped the FF++ README frames: {error}")
    if args.validation.is_dir():
        for condition in ("crf23", "crf40"):
            found[FALSE_AREA.format(condition)] = distance_maps(original_clips(args.validation, condition))
    else:
        print(f"skipped the validation originals: {args.validation} is absent")
    if args.mask_videos is not None:  # reported beside the others, not judged: no target names them
        for clip in dataset_mask_clips(args.mask_videos):
            found.setdefault(f"mask videos/{clip.kind}", []).extend(distance_maps([clip]))
    return found


def score(maps: dict[str, list], config: MaskConfig) -> dict[str, float]:
    """Mean Dice per source (false area for the unchanged originals), plus the FF++ mean and the worst
    margin over a source's target."""
    row = {
        name: (maps_false_area if name.endswith("false area") else maps_dice)(m, config)
        for name, m in maps.items()
    }
    ffpp = [v for k, v in row.items() if k.startswith("ffpp/")]
    if ffpp:
        row["ffpp mean"] = float(np.mean(ffpp))
    row["worst margin"] = min(
        v - TARGETS[k.split("/")[-1]] for k, v in row.items() if k.split("/")[-1] in TARGETS
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=32, help="clips per synthetic family (default 32)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faces", type=Path, default=FACES, help="portrait folder with index.csv")
    parser.add_argument("--examples", type=Path, default=EXAMPLES, help="FaceForensics' images/ folder")
    parser.add_argument(
        "--confirm-seed",
        type=int,
        default=11,
        help="a second, independent draw of the synthetic clips on which candidates tied within --tie of "
        "the best are scored again to pick the default (default 11)",
    )
    parser.add_argument("--tie", type=float, default=0.005, help="worst-margin difference taken as a tie")
    parser.add_argument(
        "--validation",
        type=Path,
        default=VALIDATION,
        help="real FF++ pairs one may choose on (default ../shared/data/validation/ffpp_c40): their "
        "originals' false area against their own re-encode",
    )
    parser.add_argument(
        "--mask-videos",
        type=Path,
        help="a dataset with mask videos (FF++ root with manipulated_sequences/*/masks/videos): its fakes "
        "as one more source per method, 8 full frames each (reported, not judged)",
    )
    parser.add_argument("--top", type=int, default=12, help="best candidates printed (default 12)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    start = time.perf_counter()
    maps = sources(args, args.seed)
    configs = candidates()
    rows = {name: score(maps, config) for name, config in configs.items()}
    default = next((n for n, c in configs.items() if c == MaskConfig()), None)
    if default is None:
        configs["default"], rows["default"], default = MaskConfig(), score(maps, MaskConfig()), "default"
    seed_crf40 = {k: v for k, v in rows["fixed 8"].items() if k.endswith("crf40")}  # the seed's default
    limit = FALSE_AREA.format("crf23")
    eligible = [
        n
        for n, r in rows.items()
        if all(r[k] >= v - 0.005 for k, v in seed_crf40.items()) and r.get(limit, 0.0) <= FALSE_AREA_LIMIT
    ]
    if not eligible:
        print(f"no candidate marks at most {FALSE_AREA_LIMIT:.1%} of the validation originals: all ranked")
        eligible = list(rows)
    ranked = sorted(eligible, key=lambda n: rows[n]["worst margin"], reverse=True)
    print(
        f"{len(configs)} candidates on {sum(len(m) for m in maps.values())} frames (seed {args.seed}) in "
        f"{time.perf_counter() - start:.0f} s; ranked by the worst margin over a target "
        f"({', '.join(f'{k} {v}' for k, v in TARGETS.items())})"
    )
    _table(rows, list(dict.fromkeys(ranked[: args.top] + [default, "fixed 8", "auto"])), default)
    best = rows[ranked[0]]["worst margin"]
    finalists = [n for n in ranked if rows[n]["worst margin"] >= best - args.tie]
    confirm = sources(args, args.confirm_seed)
    again = {name: score(confirm, configs[name]) for name in [*finalists, "fixed 8"]}
    chosen = max(finalists, key=lambda n: again[n]["worst margin"])
    print(
        f"\n{len(finalists)} tied within {args.tie} of the best, scored on a second draw (seed {args.confirm_seed}):"
    )
    _table(
        again, [*sorted(finalists, key=lambda n: again[n]["worst margin"], reverse=True), "fixed 8"], default
    )
    print(
        f"\nchosen: {chosen}"
        + (" (the current default)" if chosen == default else f"; the default is {default}")
    )


def _table(rows: dict[str, dict[str, float]], names: list[str], default: str) -> None:
    columns = list(rows[names[0]])
    print("| setting | " + " | ".join(columns) + " |")
    print("| --- " * (len(columns) + 1) + "|")
    for name in names:
        mark = " (default)" if name == default else ""
        print(f"| {name}{mark} | " + " | ".join(f"{rows[name][c]:.3f}" for c in columns) + " |")


if __name__ == "__main__":
    main()
