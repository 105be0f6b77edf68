"""`forgeloc demo`: synthetic pairs -> mask-gen -> Dice against the exact masks, in one command."""

from __future__ import annotations

import argparse
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="demo_out", help="folder for the demo's files (default demo_out)")
    parser.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mask_gen.cli_mask_gen import print_summary
    from mask_gen.datasets import load_pairs
    from mask_gen.pipeline import MaskGenConfig
    from mask_gen.synth.layouts import SynthConfig, write_synthetic
    from mask_gen.synth.score import score_dataset
    from mask_gen.synth.video import MotionConfig
    from mask_gen.writer import build_dataset

    start = time.perf_counter()
    out = Path(args.out)
    config = SynthConfig(videos=3, motion=MotionConfig(frames=16), crfs=(23,), seed=args.seed)
    print("1/3 writing a synthetic FaceForensics++-style set (H.264 CRF 23) with exact masks ...")
    synth = write_synthetic(out / "synthetic", ["ffpp"], config)["ffpp"]
    print(f"    {synth}")
    print(
        "2/3 building the training set (face crop on the real frame, blur, distance, threshold, regions) ..."
    )
    summary = build_dataset(load_pairs(synth), out / "dataset", MaskGenConfig(frames=8))
    print_summary(summary, str(out / "dataset"))
    print("3/3 scoring the generated masks against the exact ones ...")
    for method, dice in sorted(score_dataset(out / "dataset", synth).items()):
        print(f"    Dice {method:10s} {dice:.3f}")
    print(f"done in {time.perf_counter() - start:.0f} s; look at {out / 'dataset' / 'images'} and masks/")
    return 1 if summary.failed else 0
