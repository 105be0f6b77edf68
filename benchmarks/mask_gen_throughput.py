"""Mask generation speed: make_mask pairs/s on 256x256 crops, and end-to-end mask-gen on 720p video
pairs next to pure PyAV decoding of the same videos, in the same run.

Run: python benchmarks/mask_gen_throughput.py [--videos 2] [--frames 96,300] [--workers 1] [--data DIR]
Synthetic clips are measured at each length given: with 32 frames sampled per video, a 96-frame clip has
a third of its frames cropped, masked and written, a 300-frame one (10 s, as DFDC's) a tenth. --data runs
on a dataset in any supported layout (e.g. the FF++ c23 pairs in ../shared) instead. Decode-only decodes every distinct video once, the least any mask-gen must do; the
ratio is decode-only time / end-to-end time (1.0 = mask-gen costs no more than decoding).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from localize.media.images import write_png
from localize.media.video import probe_video
from mask_gen import MaskConfig, make_mask
from mask_gen.config import MaskGenConfig
from mask_gen.datasets import load_pairs
from mask_gen.synth.layouts import SynthConfig, write_synthetic
from mask_gen.synth.sources import bundled_photos
from mask_gen.synth.video import MotionConfig
from mask_gen.writer import build_dataset


def make_mask_rate(repeats: int = 200, config: MaskConfig = MaskConfig()) -> float:
    """make_mask pairs per second on 256x256 crops under `config`."""
    rng = np.random.default_rng(0)
    real = rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)
    fake = real.copy()
    fake[60:160, 80:180] //= 2
    start = time.perf_counter()
    for _ in range(repeats):
        make_mask(real, fake, config)
    return repeats / (time.perf_counter() - start)


def decode_all(path: Path) -> None:
    """Decode every frame of a video, with no conversion to RGB: the floor any frame reader pays."""
    from localize.media.video import video_stream

    with av.open(str(path)) as container:
        stream = video_stream(container)
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass


def synthetic_root(folder: Path, videos: int, frames: int, all_photos: bool) -> Path:
    """An FF++-layout synthetic set of 720p c23 clips of `frames` frames."""
    photos = None
    if not all_photos:  # face videos, as in the public datasets: the astronaut and its mirror
        photos = folder / "photos"
        write_png(photos / "astronaut.png", bundled_photos()["astronaut"])
    config = SynthConfig(
        videos=videos,
        photos=str(photos) if photos else None,
        kinds=("self_blend", "splice"),
        motion=MotionConfig(frames=frames, width=1280, height=720),
        crfs=(23,),
    )
    return write_synthetic(folder / "synth", ["ffpp"], config)["ffpp"]


def measure(root: Path, workers: int, out: Path) -> None:
    """Decode-only next to mask-gen end to end on one dataset; prints the ratio."""
    pairs = load_pairs(root)
    videos = sorted({p for pair in pairs for p in (pair.real, pair.fake) if p is not None and p.is_file()})
    infos = [probe_video(path) for path in videos]
    total = sum(info.frames for info in infos)
    start = time.perf_counter()
    for path in videos:
        decode_all(path)
    decode = time.perf_counter() - start
    start = time.perf_counter()
    build_dataset(pairs, out, MaskGenConfig(), workers=workers)
    end_to_end = time.perf_counter() - start
    sizes = sorted({f"{info.width}x{info.height}" for info in infos})
    print(
        f"{len(pairs)} pairs, {len(videos)} distinct videos ({', '.join(sizes)}), {total} frames, from {root}"
    )
    print(
        f"  decode only (PyAV, every frame of each video once, no RGB conversion): {total / decode:.1f} frames/s"
    )
    print(
        f"  mask-gen end to end (workers={workers}, 32 frames sampled per video): {total / end_to_end:.1f} frames/s"
    )
    print(f"  ratio decode-only time / end-to-end time: {decode / end_to_end:.2f}  (target >= 0.6)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=2)
    parser.add_argument(
        "--frames",
        default="96,300",
        help="synthetic clip lengths to measure, comma-separated (300 = 10 s at 30 fps, a DFDC clip)",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--all-photos",
        action="store_true",
        help="synthetic sources from every bundled photo, faceless ones too",
    )
    parser.add_argument("--data", help="dataset folder in any supported layout (default: synthetic 720p)")
    args = parser.parse_args()
    seed_procedure = MaskConfig(threshold=8.0, grow=None, fill_holes=False)
    print(
        f"make_mask on 256x256 crops: {make_mask_rate():.0f} pairs/s with the defaults, "
        f"{make_mask_rate(config=seed_procedure):.0f} with the seed's single cut"
    )
    with tempfile.TemporaryDirectory() as folder:
        if args.data:
            measure(Path(args.data), args.workers, Path(folder) / "out")
            return
        for frames in (int(f) for f in args.frames.split(",")):
            work = Path(folder) / f"clips{frames}"
            measure(synthetic_root(work, args.videos, frames, args.all_photos), args.workers, work / "out")


if __name__ == "__main__":
    main()
