"""The seed's decision rules: a frame is fake when the network is confident (> threshold) over a
connected region of more than `min_region_px` pixels; a video is fake when more than half its frames are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from localize.faces.tracker import Box
from localize.inference.components import regions as _regions


@dataclass(frozen=True)
class Region:
    """A connected suspicious region: area in pixels, box, and the peak probability inside it."""

    area: int
    box: Box
    peak: float


def suspicious_regions(prob: np.ndarray, threshold: float = 0.5, min_region_px: int = 100) -> list[Region]:
    """Connected regions where prob > threshold, larger than min_region_px, largest first."""
    found = []
    for area, box in _regions(prob > threshold):
        if area > min_region_px:
            x0, y0, x1, y1 = box
            found.append(Region(area, box, float(prob[y0:y1, x0:x1].max())))
    return found


def region_scale(shape: tuple[int, ...], input_size: tuple[int, int] | None) -> float:
    """Map pixels per model-input pixel: `min_region_px` is counted at the model's input resolution (as
    when the thresholds were searched), so a map shown at twice the side needs regions 4x the area."""
    if input_size is None:
        return 1.0
    return shape[0] * shape[1] / (input_size[0] * input_size[1])


def frame_is_fake(
    prob: np.ndarray,
    threshold: float = 0.5,
    min_region_px: int = 100,
    input_size: tuple[int, int] | None = None,
) -> bool:
    """True when some connected region of prob > threshold has more than min_region_px pixels, counted
    at the model's `input_size` when the map is at another size (None: the map's own pixels)."""
    return bool(suspicious_regions(prob, threshold, min_region_px * region_scale(prob.shape, input_size)))


def video_is_fake(frame_flags: Sequence[bool], min_fake_fraction: float = 0.5) -> bool:
    """True when more than `min_fake_fraction` of the frames are fake (an empty video is not)."""
    flags = list(frame_flags)
    return bool(flags) and sum(flags) / len(flags) > min_fake_fraction
