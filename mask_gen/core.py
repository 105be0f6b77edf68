"""Manipulation masks from an aligned real/fake pair (Kaminskyi 2020, seed 003).

Blur both frames with a 5x5 Gaussian, take the per-pixel Euclidean RGB distance, threshold it and keep
connected regions of at least 100 px. Blurring first suppresses the block noise that compression leaves
in a naive difference; `threshold="auto"` measures that noise per pair and sets the cut above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from localize.components import fill_holes, keep_large_components
from localize.errors import ConfigError, PairError

# Calibrated on synthetic pairs with exact masks (benchmarks/calibrate_mask_threshold.py, README).
DEFAULT_THRESHOLD = 8.0


@dataclass(frozen=True)
class MaskConfig:
    """Every constant of the mask procedure.

    threshold: distance cut in RGB units (0-441), or "auto" for median + noise_k * robust sigma of the
        pair's distance map, never below `auto_floor`.
    """

    blur_kernel: int = 5
    threshold: float | Literal["auto"] = DEFAULT_THRESHOLD
    noise_k: float = 2.3
    auto_floor: float = 8.0
    min_region_px: int = 100
    close_kernel: int = 0
    fill_holes: bool = False
    connectivity: int = 8

    def __post_init__(self) -> None:
        if self.blur_kernel < 1 or self.blur_kernel % 2 == 0:
            raise ConfigError(f"blur_kernel must be a positive odd number, got {self.blur_kernel}")
        if self.threshold != "auto" and not (
            isinstance(self.threshold, int | float) and 0 < float(self.threshold) < 442
        ):
            raise ConfigError(f"threshold must be 'auto' or a number in (0, 442), got {self.threshold!r}")
        if self.noise_k <= 0 or self.auto_floor < 0:
            raise ConfigError(
                f"noise_k must be > 0 and auto_floor >= 0, got {self.noise_k}, {self.auto_floor}"
            )
        if self.min_region_px < 0:
            raise ConfigError(f"min_region_px must be >= 0, got {self.min_region_px}")
        if self.close_kernel < 0:
            raise ConfigError(f"close_kernel must be >= 0, got {self.close_kernel}")
        if self.connectivity not in (4, 8):
            raise ConfigError(f"connectivity must be 4 or 8, got {self.connectivity}")


def _check_pair(real: np.ndarray, fake: np.ndarray) -> None:
    for name, image in (("real", real), ("fake", fake)):
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
            kind = getattr(image, "dtype", type(image).__name__)
            raise PairError(f"{name} frame must be a uint8 array, got {kind}")
        if image.ndim != 3 or image.shape[2] != 3:
            raise PairError(f"{name} frame must be RGB (H, W, 3), got shape {image.shape}")
    if real.shape != fake.shape:
        raise PairError(f"real and fake differ in size: real {real.shape[:2]}, fake {fake.shape[:2]}")


def difference_map(real: np.ndarray, fake: np.ndarray, blur_kernel: int = 5) -> np.ndarray:
    """Euclidean RGB distance between the Gaussian-blurred frames, float32 (H, W)."""
    _check_pair(real, fake)
    size = (blur_kernel, blur_kernel)
    # in place where possible: fresh frame-sized float temporaries cost a page fault per 4 KiB each call
    delta = cv2.subtract(cv2.GaussianBlur(real, size, 0), cv2.GaussianBlur(fake, size, 0), dtype=cv2.CV_32F)
    cv2.multiply(delta, delta, dst=delta)
    # OpenCV's channel sum (transform) is several times faster than numpy's reduction over the last axis
    squared = cv2.transform(delta, np.ones((1, 3), np.float32))
    return cv2.sqrt(squared, dst=squared).reshape(real.shape[:2])


def auto_threshold(distance: np.ndarray, noise_k: float = 2.3, floor: float = 8.0) -> float:
    """Cut above the pair's noise: median + noise_k * 1.4826 * MAD of the distance map.

    Median and MAD describe the untouched majority of the frame (compression noise), so a manipulated
    region covering less than half the frame does not move them much.
    """
    median = float(np.median(distance))
    mad = float(np.median(np.abs(distance - median)))
    return max(floor, median + noise_k * 1.4826 * mad)


def threshold_for(distance: np.ndarray, config: MaskConfig) -> float:
    """The threshold `config` applies to this distance map."""
    if config.threshold == "auto":
        return auto_threshold(distance, config.noise_k, config.auto_floor)
    return float(config.threshold)


def mask_from_distance(distance: np.ndarray, config: MaskConfig = MaskConfig()) -> np.ndarray:
    """Threshold a distance map, clean it up and keep regions of at least `min_region_px`."""
    mask = distance > threshold_for(distance, config)
    if config.close_kernel > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (config.close_kernel, config.close_kernel))
        mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel).astype(bool)
    if config.fill_holes:
        mask = fill_holes(mask)
    return keep_large_components(mask, config.min_region_px, config.connectivity)


def make_mask(real: np.ndarray, fake: np.ndarray, config: MaskConfig = MaskConfig()) -> np.ndarray:
    """Bool (H, W) mask of where `fake` was manipulated relative to the aligned `real`."""
    return mask_from_distance(difference_map(real, fake, config.blur_kernel), config)
