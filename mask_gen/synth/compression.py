"""Compression round-trips that stand in for how datasets are distributed: JPEG stills, H.264 clips."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from localize.errors import ConfigError
from localize.video import iter_frames, write_video


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


def parse_condition(condition: str) -> tuple[str, int]:
    """'none', 'jpeg:Q' or 'h264:N' (the spec syntax of mask_gen.synth.perturbations, shared with eval's
    robustness suite and training; the older 'jpeg90' and 'crf23' still read) -> (kind, level) with kind
    "jpeg" or "crf", range-checked."""
    if condition == "none":
        return "none", 0
    if ":" in condition:
        from mask_gen.synth.perturbations import parse_spec  # it imports this module

        spec = parse_spec(condition)
        if spec.kind not in ("jpeg", "h264") or spec.low != spec.high:
            raise ConfigError(f"condition {condition!r}: use none, jpeg:Q (Q 1-100) or h264:N (N 0-51)")
        return {"jpeg": "jpeg", "h264": "crf"}[spec.kind], int(spec.low)
    for kind, low, high in (("jpeg", 1, 100), ("crf", 0, 51)):
        level = condition.removeprefix(kind)
        if condition.startswith(kind) and level.isdigit() and low <= int(level) <= high:
            return kind, int(level)
    raise ConfigError(f"unknown condition {condition!r}; use none, jpeg:Q (Q 1-100) or h264:N (N 0-51)")


def degrade(frames: Sequence[np.ndarray], condition: str) -> list[np.ndarray]:
    """Apply a named condition (see parse_condition) to frames of one clip."""
    kind, level = parse_condition(condition)
    if kind == "jpeg":
        return [jpeg_roundtrip(frame, level) for frame in frames]
    if kind == "crf":
        return h264_roundtrip(frames, level)
    return list(frames)
