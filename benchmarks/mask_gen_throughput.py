"""Mask generation speed: make_mask pairs/s on 256x256 crops, and end-to-end mask-gen on 720p video
pairs next to pure PyAV decoding of the same videos, in the same run.

Run: python benchmarks/mask_gen_throughput.py [--videos 2] [--frames 96] [--workers 1] [--data DIR]
--data runs on a dataset in any supported layout (e.g. the FF++ c23 pairs in ../shared) instead of
synthetic clips. Decode-only decodes every distinct video once, the least any mask-gen must do; the
ratio is decode-only time / end-to-end time (1.0 = mask-gen costs no more than decoding).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from localize.images import write_png
from localize.video import probe_video
from mask_gen import make_mask
from mask_gen.datasets import load_pairs
from mask_gen.pipeline import MaskGenConfig
from mask_gen.synth.layouts import SynthConfig, write_synthetic
from mask_gen.synth.sources import bundled_photos
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


def decode_all(path: Path) -> None:
    """Decode every frame of a video, with no conversion to RGB: the floor any frame reader pays."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=2)
    parser.add_argument("--frames", type=int, default=96)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--all-photos",
        action="store_true",
        help="synthetic sources from every bundled photo, faceless ones too",
    )
    parser.add_argument("--data", help="dataset folder in any supported layout (default: synthetic 720p)")
    args = parser.parse_args()
    print(f"make_mask on 256x256 crops: {make_mask_rate():.0f} pairs/s")
    with tempfile.TemporaryDirectory() as folder:
        if args.data:
            root = Path(args.data)
        else:
            photos = None
            if not args.all_photos:  # face videos, as in the public datasets: the astronaut and its mirror
                photos = Path(folder) / "photos"
                write_png(photos / "astronaut.png", bundled_photos()["astronaut"])
            config = SynthConfig(
                videos=args.videos,
                photos=str(photos) if photos else None,
                kinds=("self_blend", "splice"),
                motion=MotionConfig(frames=args.frames, width=1280, height=720),
                crfs=(23,),
            )
            root = write_synthetic(Path(folder) / "synth", ["ffpp"], config)["ffpp"]
        pairs = load_pairs(root)
        videos = sorted(
            {p for pair in pairs for p in (pair.real, pair.fake) if p is not None and p.is_file()}
        )
        infos = [probe_video(path) for path in videos]
        total = sum(info.frames for info in infos)
        start = time.perf_counter()
        for path in videos:
            decode_all(path)
        decode = time.perf_counter() - start
        start = time.perf_counter()
        build_dataset(pairs, Path(folder) / "out", MaskGenConfig(), workers=args.workers)
        end_to_end = time.perf_counter() - start
    sizes = sorted({f"{info.width}x{info.height}" for info in infos})
    print(
        f"{len(pairs)} pairs, {len(videos)} distinct videos ({', '.join(sizes)}), {total} frames, from {root}"
    )
    print(
        f"decode only (PyAV, every frame of each video once, no RGB conversion): {total / decode:.1f} frames/s"
    )
    print(
        f"mask-gen end to end (workers={args.workers}, 32 frames sampled per video): {total / end_to_end:.1f} frames/s"
    )
    print(f"ratio decode-only time / end-to-end time: {decode / end_to_end:.2f}  (target >= 0.6)")


if __name__ == "__main__":
    main()
