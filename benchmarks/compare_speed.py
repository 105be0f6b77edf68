"""How fast `forgeloc compare` runs on 720p at its default sampling, against decoding both clips once.

    python benchmarks/compare_speed.py [--fake FAKE.mp4 --real ORIGINAL.mp4] [--runs 2]

The suspect is the whole fake re-encoded at H.264 CRF 23 (a 720p upload of it), the source its original,
from the FF++ validation pairs by default (13 s at 30 fps). Reported: the real-time factor (suspect
seconds per second of compare; the target is at least 1 on 2 cores) and compare's time over the time
PyAV takes to decode both clips to RGB once in the same process (the floor any reader pays). Run it with
nothing else on the machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from localize.media.encode import write_video
from localize.media.reader import iter_media_frames, media_info
from mask_gen.compare.session import compare

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "validation" / "ffpp_c40"
FAKE = VALIDATION / "manipulated_sequences" / "Deepfakes" / "c40" / "videos" / "183_253.mp4"
REAL = VALIDATION / "original_sequences" / "youtube" / "c40" / "videos" / "183.mp4"


def decode_seconds(*paths: Path) -> float:
    started = time.monotonic()
    for path in paths:
        for _ in iter_media_frames(path):
            pass
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", type=Path, default=FAKE)
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--runs", type=int, default=2, help="timed runs (the best is reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        suspect = Path(folder) / "suspect.mp4"
        info = media_info(args.fake)
        write_video(suspect, (frame for _, frame in iter_media_frames(args.fake)), fps=info.fps, crf=23)
        duration = media_info(suspect).frames / info.fps
        decode = min(decode_seconds(suspect, args.real) for _ in range(args.runs))
        seconds = []
        for run in range(args.runs):
            started = time.monotonic()
            compare(suspect, args.real, Path(folder) / f"out{run}")
            seconds.append(time.monotonic() - started)
    best = min(seconds)
    print(f"suspect {info.width}x{info.height}, {duration:.1f} s; compare {best:.2f} s (runs {seconds})")
    print(
        f"real-time factor {duration / best:.2f} (target >= 1); decoding both clips once {decode:.2f} s; "
        f"compare / decode {best / decode:.2f}"
    )


if __name__ == "__main__":
    main()
