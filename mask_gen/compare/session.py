"""One `forgeloc compare` run: pair the clips, mask every analysed frame, and write DIR all at once.

Everything is written into a folder beside DIR first and moved into DIR only when the report is done,
so an interrupted run (Ctrl-C included) or a refusal leaves DIR as it was.
"""

from __future__ import annotations

import datetime
import heapq
import logging
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from localize import __version__
from localize.common.atomic import write_text_atomic
from localize.common.errors import ConfigError
from localize.media.images import write_png
from mask_gen.compare.pairing import (
    Clip,
    CompareConfig,
    FrameEntry,
    NotSameFootage,
    align,
    compare_frames,
)

log = logging.getLogger(__name__)

REPORT_FRAMES = 8  # the frames with most change, shown in the report


def staging_folder(out: Path) -> Path:
    """An empty folder beside OUT where everything is written before it is moved into OUT."""
    if out.exists() and not out.is_dir():
        raise ConfigError("--out names a file, not a folder", out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))


def publish(staging: Path, out: Path) -> None:
    """Move the finished results.json, masks/ and report.html into OUT (replacing an earlier run's)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "masks", ignore_errors=True)
    for name in ("masks", "results.json", "report.html"):
        if (staging / name).exists():
            (staging / name).replace(out / name)
    shutil.rmtree(staging, ignore_errors=True)


def _entry(frame: FrameEntry) -> dict:
    change = frame.change
    return {
        "index": frame.index,
        "time": round(frame.time, 4),
        "source_index": frame.source_index,
        "source_time": None if frame.source_time is None else round(frame.source_time, 4),
        "region_fraction": None if change is None else round(change.region_fraction, 6),
        "cut": None if change is None else round(change.cut, 2),
        "background": None if change is None else round(change.background, 3),
        "mask": f"masks/{frame.index}.png",
    }


def _refuse(reason: str, suspect: Clip, source: Clip) -> None:
    raise NotSameFootage(f"{suspect.path} and {source.path} are not the same footage ({reason})")


def compare(
    suspect_path: str | Path,
    source_path: str | Path,
    out: str | Path,
    config: CompareConfig = CompareConfig(),
) -> dict:
    """Compare SUSPECT with SOURCE into OUT (results.json, masks/<index>.png, report.html); the results.
    NotSameFootage when the clips do not show the same footage (OUT untouched)."""
    from mask_gen.compare.report import evidence_picture, write_report

    started = time.monotonic()
    suspect, source = Clip.open(suspect_path), Clip.open(source_path)
    out = Path(out)
    alignment, mapping, times, transform = align(suspect, source, config)
    if mapping is None:
        found = 0 if alignment is None else alignment.inliers
        _refuse(f"{found} matching features where {config.min_inliers} are needed", suspect, source)
    staging = staging_folder(out)
    try:
        (staging / "masks").mkdir()
        frames, shown = [], []
        pairs = compare_frames(suspect, source, transform, mapping, times, config)
        for number, (frame, image, warped) in enumerate(tqdm(pairs, desc="frames", unit="frame", total=None)):
            shape = image.shape[:2]
            mask = frame.change.mask if frame.change is not None else np.zeros(shape, bool)
            write_png(staging / "masks" / f"{frame.index}.png", np.where(mask, 255, 0).astype(np.uint8))
            frames.append(_entry(frame))
            if frame.change is not None:
                item = (
                    frame.change.region_fraction,
                    -number,
                    frame.index,
                    evidence_picture(image, warped, mask),
                )
                (heapq.heappush if len(shown) < REPORT_FRAMES else heapq.heappushpop)(shown, item)
        compared = [f for f in frames if f["region_fraction"] is not None]
        background = float(np.median([f["background"] for f in compared])) if compared else float("inf")
        if background > config.max_background:
            _refuse(
                f"median difference {background:.1f} over the matched background, limit {config.max_background}",
                suspect,
                source,
            )
        elapsed = time.monotonic() - started
        results = {
            "toolkit": {"name": "forgeloc", "version": __version__},
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "suspect": {
                "path": str(suspect.path),
                "frames": suspect.frames,
                "width": suspect.width,
                "height": suspect.height,
                "fps": suspect.fps,
            },
            "source": {
                "path": str(source.path),
                "frames": source.frames,
                "width": source.width,
                "height": source.height,
                "fps": source.fps,
            },
            "same_footage": True,
            "rate": round(mapping.rate, 6),
            "offset_s": round(mapping.offset_s, 4),
            "transform": [[round(float(v), 6) for v in row] for row in transform],
            "mirrored": alignment.mirrored,
            "confidence": round(mapping.confidence, 4),
            "feature_inliers": alignment.inliers,
            "background_distance": round(background, 3),
            "frames_without_counterpart": len(frames) - len(compared),
            "parameters": {"frames": config.frames, "every": config.every, "mask": _mask_parameters(config)},
            "seconds": round(elapsed, 2),
            "frames": frames,
        }
        write_text_atomic(staging / "results.json", _json(results))
        shown = sorted(shown, key=lambda item: item[2])
        write_report(staging / "report.html", results, [(index, picture) for _, _, index, picture in shown])
        publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results


def _mask_parameters(config: CompareConfig) -> dict:
    from dataclasses import asdict

    return {key: value for key, value in asdict(config.mask).items()}


def _json(results: dict) -> str:
    import json

    return json.dumps(results, indent=2) + "\n"
