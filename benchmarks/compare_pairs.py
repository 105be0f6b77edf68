"""How well `forgeloc compare` recovers a suspect's source, time mapping and changed region when the
suspect was cut, re-timed, rescaled, cropped, letterboxed, mirrored and re-encoded.

    python benchmarks/compare_pairs.py [--data ../shared/data/validation/ffpp_c40] [--frames 150]
                                       [--per-method N] [--json OUT]

From each FF++ validation pair (a fake and its original, aligned frame for frame), the benchmark makes
its own suspects from the fake and hands `compare` the original (or a re-timed copy of it) as the
source. It knows where every suspect frame came from, so it scores:
- time: the share of analysed frames whose source frame is the right one (equal rates) or within one
  frame of it (25 <-> 30 fps);
- masks: Dice (over all analysed frames of the case) of compare's masks against the mask procedure run
  on the untransformed aligned pair, carried into suspect pixels by the same transform;
- real vs real: the original against its own transformed copy: changed share of the frame;
- unrelated clips: one original against another's transformed copy must be refused;
- speed: suspect seconds per second of compare at its default sampling (32 frames).
These pairs are a validation set (choose on them, never a test).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from localize.media.encode import write_video
from localize.media.reader import iter_media_frames, media_info
from mask_gen.compare.pairing import NotSameFootage
from mask_gen.compare.session import compare
from mask_gen.core import make_mask

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "validation" / "ffpp_c40"


@dataclass(frozen=True)
class Case:
    """How a suspect is made from a fake: start frame, frame rate, mirror, crop share, scale, letterbox
    (pad to this width/height ratio), CRF; and the rate the source is re-timed to (0: as it is)."""

    name: str
    start: int = 0
    fps: float = 30.0
    mirror: bool = False
    crop: float = 0.0
    scale: float = 1.0
    letterbox: float = 0.0
    crf: int = 23
    source_fps: float = 0.0


CASES = (
    Case("as is, CRF 23"),
    Case("start 30, scale 0.75, CRF 28", start=30, scale=0.75, crf=28),
    Case("start 90, crop 10 %, CRF 28", start=90, crop=0.10, crf=28),
    Case("letterbox 4:3, start 10, CRF 23", start=10, letterbox=4 / 3),
    Case("mirror, start 45, CRF 35", start=45, mirror=True, crf=35),
    Case("30 -> 25 fps, start 15, scale 0.5, CRF 28", start=15, fps=25.0, scale=0.5, crf=28),
    Case(
        "source 25 fps, suspect 30, start 60, scale 1.25, CRF 28",
        start=60,
        scale=1.25,
        crf=28,
        source_fps=25.0,
    ),
    Case(
        "crop 5 %, scale 1.5, mirror, start 20, CRF 35", start=20, crop=0.05, scale=1.5, mirror=True, crf=35
    ),
)
REAL_CASES = (CASES[1], CASES[4], CASES[5])


def geometry(image: np.ndarray, case: Case, nearest: bool = False) -> np.ndarray:
    """The case's mirror, crop, scale and letterbox applied to a frame (or a mask, with `nearest`)."""
    if case.mirror:
        image = image[:, ::-1]
    if case.crop:
        height, width = image.shape[:2]
        dy, dx = round(height * case.crop / 2), round(width * case.crop / 2)
        image = image[dy : height - dy, dx : width - dx]
    if case.scale != 1.0:
        size = (round(image.shape[1] * case.scale / 2) * 2, round(image.shape[0] * case.scale / 2) * 2)
        image = cv2.resize(image, size, interpolation=cv2.INTER_NEAREST if nearest else cv2.INTER_AREA)
    if case.letterbox:
        height, width = image.shape[:2]
        target = round(width / case.letterbox / 2) * 2
        if target > height:
            top = (target - height) // 2
            image = cv2.copyMakeBorder(image, top, target - height - top, 0, 0, cv2.BORDER_CONSTANT, value=0)
    return np.ascontiguousarray(image)


def retime(count: int, start: int, fps: float, original_fps: float = 30.0) -> list[int]:
    """Original frame indices of a clip that starts at `start` and is resampled to `fps` (frames
    dropped or repeated as a frame-rate converter does)."""
    step = original_fps / fps
    return [start + int(np.floor(n * step + 1e-6)) for n in range(int((count - start) / step))]


def make_suspect(frames: list[np.ndarray], case: Case, path: Path, length: int) -> list[int]:
    """Write the suspect; the original frame index of each of its frames."""
    origin = retime(len(frames), case.start, case.fps)[:length]
    write_video(path, (geometry(frames[k], case) for k in origin), fps=case.fps, crf=case.crf)
    return origin


def make_source(path: Path, case: Case, folder: Path, count: int) -> tuple[Path, list[int]]:
    """The source compare is given (the original, or re-timed and re-encoded), and its frames' origin."""
    if not case.source_fps:
        return path, list(range(count))
    frames = [frame for _, frame in iter_media_frames(path, range(count))]
    origin = retime(len(frames), 0, case.source_fps)
    target = folder / "source.mp4"
    write_video(target, (frames[k] for k in origin), fps=case.source_fps, crf=18)
    return target, origin


def dice(found: list[np.ndarray], truth: list[np.ndarray]) -> float | None:
    inter = sum(int((a & b).sum()) for a, b in zip(found, truth, strict=True))
    total = sum(int(a.sum() + b.sum()) for a, b in zip(found, truth, strict=True))
    return None if total == 0 else 2 * inter / total


def run_case(fake: Path, real: Path, case: Case, length: int, folder: Path) -> dict:
    """One suspect made from `fake`, compared with (a copy of) `real`: the case's figures."""
    count = min(media_info(real).frames, media_info(fake).frames)
    fakes = [frame for _, frame in iter_media_frames(fake, range(count))]
    suspect_path = folder / "suspect.mp4"
    origin = make_suspect(fakes, case, suspect_path, length)
    source_path, source_origin = make_source(real, case, folder, count)
    started = time.monotonic()
    try:
        results = compare(suspect_path, source_path, folder / "out")
    except NotSameFootage as error:
        return {"case": case.name, "fake": fake.name, "refused": str(error)}
    seconds = time.monotonic() - started
    reals = dict(iter_media_frames(real, {origin[f["index"]] for f in results["frames"]}))
    right, found, truth = [], [], []
    for frame in results["frames"]:
        k = origin[frame["index"]]
        # the source frame showing the same instant: k itself, or the nearest in a re-timed source
        wanted = int(np.argmin([abs(s - k) for s in source_origin]))
        if frame["source_index"] is not None:
            off = abs(frame["source_index"] - wanted)
            right.append(off == 0 if not (case.source_fps or case.fps != 30.0) else off <= 1)
        mask = cv2.imread(str(folder / "out" / frame["mask"]), cv2.IMREAD_GRAYSCALE) > 127
        found.append(mask)
        reference = make_mask(reals[k], fakes[k])
        truth.append(geometry(reference.astype(np.uint8), case, nearest=True).astype(bool))
    duration = len(origin) / case.fps
    return {
        "case": case.name,
        "fake": f"{fake.parent.parent.parent.name}/{fake.name}",
        "time_right": float(np.mean(right)) if right else 0.0,
        "dice": dice(found, truth),
        "changed_share": float(np.mean([m.mean() for m in found])),
        "reference_share": float(np.mean([m.mean() for m in truth])) if truth else 0.0,
        "realtime_factor": duration / seconds,
        "seconds": seconds,
        "crf": case.crf,
    }


def pairs(data: Path) -> list[tuple[Path, Path]]:
    """(fake, its original) for every fake video of the validation folder."""
    found = []
    for fake in sorted(data.glob("manipulated_sequences/*/c40/videos/*.mp4")):
        real = data / "original_sequences/youtube/c40/videos" / f"{fake.stem.split('_')[0]}.mp4"
        # the aligned reference mask needs frames of one size (FF++'s 469 Face2Face and NeuralTextures
        # are centre crops of their original)
        if real.is_file() and media_info(real).width == media_info(fake).width:
            found.append((fake, real))
    return found


def spread(found: list[tuple[Path, Path]], per_method: int) -> list[tuple[Path, Path]]:
    """`per_method` pairs of each method, the k-th method starting at its k-th pair, so the methods'
    pairs fall on different originals."""
    methods = sorted({fake.parts[-4] for fake, _ in found})
    chosen = []
    for number, method in enumerate(methods):
        own = [pair for pair in found if pair[0].parts[-4] == method]
        chosen += [own[(number + k) % len(own)] for k in range(min(per_method, len(own)))]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED)
    parser.add_argument("--frames", type=int, default=150, help="suspect length in frames")
    parser.add_argument(
        "--per-method",
        type=int,
        default=0,
        help="only N pairs of each method, each on other originals (0: all)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    chosen = pairs(args.data)
    if args.per_method:
        chosen = spread(chosen, args.per_method)
    rows, reals, unrelated = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for fake, real in chosen:
            for case in CASES:
                rows.append(run_case(fake, real, case, args.frames, work))
                print(json.dumps(rows[-1]), flush=True)
        for real in sorted({r for _, r in chosen}):
            for case in REAL_CASES:
                reals.append(run_case(real, real, case, args.frames, work))
                print(json.dumps(reals[-1]), flush=True)
        originals = sorted({r for _, r in chosen})
        for a, b in zip(originals, originals[1:] + originals[:1], strict=True):
            if a != b:
                unrelated.append(run_case(a, b, CASES[1], args.frames, work))
                print(json.dumps(unrelated[-1]), flush=True)
    summary = summarise(rows, reals, unrelated)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(
            json.dumps({"summary": summary, "cases": rows, "real": reals, "unrelated": unrelated}, indent=2)
        )


def summarise(rows: list[dict], reals: list[dict], unrelated: list[dict]) -> dict:
    done = [r for r in rows if "refused" not in r]
    same_rate = [r for r in done if "fps" not in r["case"]]
    other_rate = [r for r in done if "fps" in r["case"]]

    def mean_dice(selected):
        values = [r["dice"] for r in selected if r["dice"] is not None]
        return float(np.mean(values)) if values else None

    return {
        "cases": len(rows),
        "refused_same_footage": len(rows) - len(done),
        "time_exact_equal_rate": float(np.mean([r["time_right"] for r in same_rate])) if same_rate else None,
        "time_within_one_frame_rate_change": float(np.mean([r["time_right"] for r in other_rate]))
        if other_rate
        else None,
        "dice_crf_le_28": mean_dice([r for r in done if r["crf"] <= 28]),
        "dice_crf_35": mean_dice([r for r in done if r["crf"] > 28]),
        "real_vs_real_changed_share_max": max((r.get("changed_share", 0.0) for r in reals), default=None),
        "unrelated_refused": f"{sum('refused' in r for r in unrelated)}/{len(unrelated)}",
        "realtime_factor_median": float(np.median([r["realtime_factor"] for r in done])) if done else None,
    }


if __name__ == "__main__":
    main()
