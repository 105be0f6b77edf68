"""Mask generation speed: make_mask pairs/s on 256x256 crops, and end-to-end mask-gen on 720p video
pairs next to pure PyAV decoding of the same videos, in the same run.

Run: python benchmarks/mask_gen_throughput.py [--videos 2] [--frames 96] [--workers 1]
Both figures count video frames read (real + fake); the ratio is end-to-end / decode-only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from localize.video import iter_frames, probe_video
from mask_gen import make_mask
from mask_gen.datasets import load_pairs
from mask_gen.pipeline import MaskGenConfig
from mask_gen.synth.layouts import SynthConfig, write_synthetic
from mask_gen.synth.video import MotionConfig
from mask_gen.writer import build_dataset


def make_mask_rate(repeats: int = 200) -> float:
    """make_mask pairs per second on 256x256 crops."""
    rng = np.random.default_rng(0)
    real = rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)
    fake = real.copy()
    fake[60:160, 80:180] //= 2
    start = time.perf_counter()
    for _ in range(repeats):
        make_mask(real, fake)
    return repeats / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=2)
    parser.add_argument("--frames", type=int, default=96)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    print(f"make_mask on 256x256 crops: {make_mask_rate():.0f} pairs/s")
    with tempfile.TemporaryDirectory() as folder:
        config = SynthConfig(
            videos=args.videos,
            kinds=("self_blend", "splice"),
            motion=MotionConfig(frames=args.frames, width=1280, height=720),
            crfs=(23,),
        )
        root = write_synthetic(Path(folder) / "synth", ["ffpp"], config)["ffpp"]
        pairs = load_pairs(root)
        videos = [p for pair in pairs for p in (pair.real, pair.fake)]
        total = sum(probe_video(path).frames for path in videos)
        start = time.perf_counter()
        for path in videos:
            for _ in iter_frames(path):
                pass
        decode = total / (time.perf_counter() - start)
        start = time.perf_counter()
        build_dataset(pairs, Path(folder) / "out", MaskGenConfig(), workers=args.workers)
        end_to_end = total / (time.perf_counter() - start)
    print(f"{len(pairs)} pairs of 1280x720 H.264 clips, {total} frames read, default sampling (32 per video)")
    print(f"decode only (PyAV, rgb24): {decode:.1f} frames/s")
    print(f"mask-gen end to end (workers={args.workers}): {end_to_end:.1f} frames/s")
    print(f"ratio end-to-end / decode-only: {end_to_end / decode:.2f}  (target >= 0.6)")


if __name__ == "__main__":
    main()
