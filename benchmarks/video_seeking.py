"""Reading inspect's default sampling (32 frames evenly spaced) of a long video: by seeking
(localize.media.seeking, the default) against decoding straight through (seek=False), the baseline, in the
same run, on 1280x720 H.264 clips with a keyframe every 2 s (phones, streaming) and every 10 s (x264's
default), in MP4 (a frame table: a seek lands on its keyframe), MPEG-TS (broadcast and camera
recordings) and FLV (live-stream recordings), where FFmpeg estimates where to seek, so each seek aims a
keyframe early. Both read the same frames (checked).

Run: python benchmarks/video_seeking.py [--minutes 3] [--repeats 3] [--containers mp4,ts,flv]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def make_clip(path: Path, seconds: int, keyframe_every: int) -> None:
    """A 1280x720, 25 fps H.264 clip of the astronaut photo under a moving camera."""
    import av

    from mask_gen.synth.sources import bundled_photos, fit_side

    still = fit_side(bundled_photos()["astronaut"], 900)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.options = {"g": str(keyframe_every), "preset": "ultrafast", "crf": "23"}
        for number in range(25 * seconds):
            shift = round(100 * np.sin(number / 40))  # a slow pan
            frame = np.roll(np.pad(still, ((0, 0), (0, 1280 - still.shape[1]), (0, 0))), shift, axis=1)[:720]
            container.mux(
                stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24"))
            )
        container.mux(stream.encode())


def read_seconds(path: Path, indices: list[int], seek: bool, repeats: int) -> tuple[float, list]:
    from localize.media.video import iter_timed_frames

    best, frames = float("inf"), []
    for _ in range(repeats):
        start = time.perf_counter()
        frames = list(iter_timed_frames(path, indices, seek=seek))
        best = min(best, time.perf_counter() - start)
    return best, frames


def main() -> None:
    from localize.media.sampling import sample_indices

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3, help="length of each clip (default 3)")
    parser.add_argument("--repeats", type=int, default=3, help="reads per row; the fastest counts")
    parser.add_argument(
        "--containers", default="mp4,ts,flv", help="file types, by suffix (default mp4,ts,flv)"
    )
    args = parser.parse_args()
    seconds = round(args.minutes * 60)
    print(f"{seconds} s clips, 1280x720 H.264 at 25 frames/s, 32 frames evenly spaced")
    print("| container | keyframe every | straight through s | seeking s | ratio |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for suffix, gop in ((s, g) for s in args.containers.split(",") for g in (50, 250)):
            path = Path(folder) / f"clip_g{gop}.{suffix}"
            make_clip(path, seconds, gop)
            indices = sample_indices(25 * seconds, frames=32)
            straight, expected = read_seconds(path, indices, False, args.repeats)
            sought, got = read_seconds(path, indices, True, args.repeats)
            assert [i for i, _, _ in got] == [i for i, _, _ in expected]
            assert all(np.array_equal(a[2], b[2]) for a, b in zip(got, expected, strict=True)), "same frames"
            print(f"| {suffix} | {gop / 25:g} s | {straight:.2f} | {sought:.2f} | {straight / sought:.1f}x |")


if __name__ == "__main__":
    main()
