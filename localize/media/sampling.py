"""Which frames to take from a video: N evenly spaced, or every k-th."""

from __future__ import annotations

import numpy as np

from localize.common.errors import ConfigError


def sample_indices(frame_count: int, frames: int = 32, every: int = 0) -> list[int]:
    """Frame indices to sample: every `every`-th when set, else `frames` evenly spaced (all if fewer)."""
    if frame_count <= 0:
        return []
    if every < 0 or frames < 0:
        raise ConfigError(f"frames and every must be >= 0, got frames={frames}, every={every}")
    if every:
        return list(range(0, frame_count, every))
    if frames == 0 or frames >= frame_count:
        return list(range(frame_count))
    return sorted({int(i) for i in np.linspace(0, frame_count - 1, frames).round()})
