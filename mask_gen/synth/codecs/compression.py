"""Compression round-trips that stand in for how datasets are distributed: JPEG stills, H.264 clips."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.media.encode import write_video
from localize.media.video import iter_frames


def jpeg_roundtrip(rgb: np.ndarray, quality: int) -> np.ndarray:
    """The image after JPEG encoding at `quality` (1-100) and decoding."""
    if not 1 <= quality <= 100:
        raise ConfigError(f"JPEG quality must be in 1..100, got {quality}")
    ok, buffer = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    return cv2.cvtColor(cv2.imdecode(buffer, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def h264_roundtrip(frames: Sequence[np.ndarray], crf: int, fps: float = 25.0) -> list[np.ndarray]:
    """The frames after libx264 encoding at `crf` (0-51) and decoding."""
    if not 0 <= crf <= 51:
        raise ConfigError(f"CRF must be in 0..51, got {crf}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        write_video(path, frames, fps=fps, crf=crf)
        return [frame for _, frame in iter_frames(path)]


# condition syntax -> (the kind it names, its level's range): jpeg:Q and h264:N are the spec syntax of
# mask_gen.synth.codecs.perturbations (shared with eval's robustness suite and training); jpeg90 and crf23 are
# the older names
LEVELS = {"jpeg": ("jpeg", 1, 100), "h264": ("crf", 0, 51)}
OLD_NAMES = {"jpeg": LEVELS["jpeg"], "crf": LEVELS["h264"]}
USE = "use none, jpeg:Q (Q 1-100) or h264:N (N 0-51)"


def parse_condition(condition: str) -> tuple[str, int]:
    """'none', 'jpeg:Q' or 'h264:N' ('jpeg90' and 'crf23' still read) -> (kind, level) with kind "jpeg"
    or "crf", range-checked (ConfigError naming the condition)."""
    if condition == "none":
        return "none", 0
    name, colon, level = condition.partition(":")
    if colon:
        if name not in LEVELS:
            raise ConfigError(f"condition {condition!r}: {USE}")
        kind, low, high = LEVELS[name]
        if not level.isdigit():
            raise ConfigError(f"condition {condition!r} needs a number (whole) after the colon, e.g. jpeg:50")
        if not low <= int(level) <= high:
            raise ConfigError(f"condition {condition!r}: level out of range ({low}-{high})")
        return kind, int(level)
    for prefix, (kind, low, high) in OLD_NAMES.items():
        level = condition.removeprefix(prefix)
        if condition.startswith(prefix) and level.isdigit() and low <= int(level) <= high:
            return kind, int(level)
    raise ConfigError(f"unknown condition {condition!r}; {USE}")


def degrade(frames: Sequence[np.ndarray], condition: str) -> list[np.ndarray]:
    """Apply a named condition (see parse_condition) to frames of one clip."""
    kind, level = parse_condition(condition)
    if kind == "jpeg":
        return [jpeg_roundtrip(frame, level) for frame in frames]
    if kind == "crf":
        return h264_roundtrip(frames, level)
    return list(frames)
