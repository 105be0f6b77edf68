"""`forgeloc synth`: synthetic real/fake sets with exact masks in the public layouts."""

from __future__ import annotations

import argparse

from mask_gen.synth.layouts import LAYOUTS, SynthConfig, write_synthetic
from mask_gen.synth.manipulations import MANIPULATIONS
from mask_gen.synth.video import MotionConfig


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="folder to write OUT/<layout>/ into")
    parser.add_argument(
        "--layout", default="all", help=f"comma list of {', '.join(LAYOUTS)}, or all (default)"
    )
    parser.add_argument("--videos", type=int, default=4, help="real source videos per layout (default 4)")
    parser.add_argument("--kinds", default=",".join(MANIPULATIONS), help="manipulations (default: all)")
    parser.add_argument("--frames", type=int, default=48, help="frames per clip (default 48)")
    parser.add_argument("--size", default="320x240", help="frame size WxH, even sides (default 320x240)")
    parser.add_argument("--crf", default="23,40", help="H.264 CRF levels, FF++ c23/c40 (default 23,40)")
    parser.add_argument("--photos", help="folder of real photographs to fake (default: scikit-image's)")
    parser.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> int:
    from localize.errors import ConfigError

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
        crfs = tuple(int(v) for v in _csv(args.crf))
    except ValueError:
        raise ConfigError(
            f"--size must be WxH and --crf a comma list of integers, got {args.size!r}, {args.crf!r}"
        ) from None
    config = SynthConfig(
        videos=args.videos,
        kinds=tuple(_csv(args.kinds)),
        motion=MotionConfig(frames=args.frames, width=width, height=height),
        crfs=crfs,
        seed=args.seed,
        photos=args.photos,
    )
    layouts = list(LAYOUTS) if args.layout == "all" else _csv(args.layout)
    folders = write_synthetic(args.out, layouts, config)
    for layout, folder in folders.items():
        print(f"{layout:8s} {folder}")
    print(f"exact masks: <layout>/ground_truth/<fake path>.npz   (seed {args.seed})")
    return 0
