"""Manipulation masks from an aligned real/fake pair (Kaminskyi 2020, seed 003).

The seed's steps, all still here: blur both frames with a 5x5 Gaussian, take the per-pixel Euclidean RGB
distance, threshold it and keep connected regions of at least 100 px. Blurring first suppresses the block
noise that compression leaves in a naive difference.

What the calibration on several sources added (benchmarks/calibrate_mask_threshold.py,
docs/guide/mask_procedure.md): `threshold="auto"` measures that noise per pair (median and MAD of the distance map) and sets
the cut above it; `grow` turns the single cut into hysteresis: regions are seeded above the cut and grown
through a lower cut set by the noise measured around them, so the faint inside of an edit (the middle of
a Poisson blend, a re-rendered mouth) joins its strong edges without letting the noise in; hole filling
(and optional closing) then close what is left. A fixed number for `threshold` and `grow=None` give the seed's procedure exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from localize.common.errors import ConfigError, PairError
from localize.inference.components import fill_holes, hysteresis, keep_large_components

# The seed cut (RGB units) of the default hysteresis, chosen by the worst of several sources
# (benchmarks/calibrate_mask_threshold.py, docs/guide/mask_procedure.md); the seed's own cut was 8.
DEFAULT_THRESHOLD = 16.0


@dataclass(frozen=True)
class MaskConfig:
    """Every constant of the mask procedure.

    Args:
        blur_kernel: side of the Gaussian blur applied to both frames (odd).
        threshold: the seed cut in RGB distance units (0-441), or "auto": median + noise_k * robust
            sigma (1.4826 * MAD) of the pair's distance map, never below `auto_floor`.
        noise_k: how many noise sigmas above the median the automatic cut sits.
        auto_floor: the lowest automatic cut.
        grow: hysteresis. None: a pixel is in the mask when it passes `threshold` (the seed). "auto":
            regions passing `threshold` (seeds of at least `min_seed_px`) are grown through every
            connected pixel above the noise measured around them: median + grow_k * robust sigma of
            the distance map in the band `grow_ring` (inner, outer radius in px) around the seeds,
            never below `grow_floor` nor above the seed cut. A number: that fixed low cut.
        grow_k: noise sigmas above the band's median for the automatic low cut.
        grow_floor: the lowest low cut.
        grow_ring: (inner, outer) distance from the seeds, in px, of the band where the noise is read.
        min_seed_px: seed regions smaller than this grow nothing (a lone noisy pixel is no edit).
        min_region_px: connected regions smaller than this are dropped.
        close_kernel: side of the elliptic morphological closing (0 or 1: none).
        fill_holes: fill the holes inside regions.
        connectivity: 4 or 8, for growing and for the region filter.
    """

    blur_kernel: int = 5
    threshold: float | Literal["auto"] = DEFAULT_THRESHOLD
    noise_k: float = 2.3
    auto_floor: float = 8.0
    grow: float | Literal["auto"] | None = "auto"
    grow_k: float = 2.5
    grow_floor: float = 4.0
    grow_ring: tuple[int, int] = (3, 40)
    min_seed_px: int = 10
    min_region_px: int = 100
    close_kernel: int = 0
    fill_holes: bool = True
    connectivity: int = 8

    def __post_init__(self) -> None:
        if self.blur_kernel < 1 or self.blur_kernel % 2 == 0:
            raise ConfigError(f"blur_kernel must be a positive odd number, got {self.blur_kernel}")
        for name in ("threshold", "grow"):
            value = getattr(self, name)
            if name == "grow" and value is None:
                continue
            if value != "auto" and not (
                isinstance(value, int | float) and not isinstance(value, bool) and 0 < float(value) < 442
            ):
                raise ConfigError(f"{name} must be 'auto' or a number in (0, 442), got {value!r}")
        if self.noise_k <= 0 or self.auto_floor < 0 or self.grow_k <= 0 or self.grow_floor < 0:
            raise ConfigError(
                "noise_k and grow_k must be > 0, auto_floor and grow_floor >= 0, got "
                f"{self.noise_k}, {self.grow_k}, {self.auto_floor}, {self.grow_floor}"
            )
        if self.min_region_px < 0 or self.min_seed_px < 0:
            raise ConfigError(
                f"min_region_px and min_seed_px must be >= 0, got {self.min_region_px}, {self.min_seed_px}"
            )
        inner, outer = self.grow_ring
        if not 0 <= inner < outer:
            raise ConfigError(
                f"grow_ring must be (inner, outer) with 0 <= inner < outer, got {self.grow_ring}"
            )
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


def noise_level(distance: np.ndarray) -> tuple[float, float]:
    """(median, robust sigma = 1.4826 * MAD) of a distance map.

    Median and MAD describe the untouched majority of the frame (compression noise), so a manipulated
    region covering less than half the frame does not move them much.
    """
    median = float(np.median(distance))
    return median, 1.4826 * float(np.median(np.abs(distance - median)))


def auto_threshold(distance: np.ndarray, noise_k: float = 2.3, floor: float = 8.0) -> float:
    """Cut above the pair's noise: median + noise_k * robust sigma of the distance map, at least `floor`."""
    return seed_cut(distance, MaskConfig(threshold="auto", noise_k=noise_k, auto_floor=floor))


def seed_cut(distance: np.ndarray, config: MaskConfig) -> float:
    """The seed cut `config` applies to this distance map (the noise is measured only for "auto")."""
    if config.threshold != "auto":
        return float(config.threshold)
    median, sigma = noise_level(distance)
    return max(config.auto_floor, median + config.noise_k * sigma)


def ring_noise_cut(distance: np.ndarray, seeds: np.ndarray, config: MaskConfig) -> float:
    """The automatic low cut: median + grow_k * robust sigma of `distance` in the band `grow_ring`
    around `seeds` (the whole map when the band is empty), at least `grow_floor`.

    Compression noise is not the same everywhere: an encoder re-decides the blocks an edit touches, so
    the noise beside an edit is larger than the frame's. Reading it there keeps growth out of it.
    """
    inner, outer = config.grow_ring
    # distance of every pixel to the nearest seed pixel (OpenCV's 5x5-mask Euclidean approximation)
    reach = cv2.distanceTransform((~seeds).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_5)
    band = distance[(reach > inner) & (reach <= outer)]
    median, sigma = noise_level(band if band.size else distance)
    return max(config.grow_floor, median + config.grow_k * sigma)


def threshold_map(distance: np.ndarray, config: MaskConfig) -> np.ndarray:
    """The raw mask before clean-up: the seed cut alone, or seeds grown through the low cut."""
    high = seed_cut(distance, config)
    seeds = distance > high
    if config.grow is None:
        return seeds
    seeds = keep_large_components(seeds, config.min_seed_px, config.connectivity)
    if not seeds.any():
        return seeds
    low = ring_noise_cut(distance, seeds, config) if config.grow == "auto" else float(config.grow)
    return hysteresis(distance, seeds, min(low, high), config.connectivity)


def mask_from_distance(distance: np.ndarray, config: MaskConfig = MaskConfig()) -> np.ndarray:
    """Threshold a distance map (with hysteresis when `config.grow` is set), clean it up and keep
    regions of at least `min_region_px`."""
    mask = threshold_map(distance, config)
    if config.close_kernel > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (config.close_kernel, config.close_kernel))
        mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel).astype(bool)
    if config.fill_holes:
        mask = fill_holes(mask)
    return keep_large_components(mask, config.min_region_px, config.connectivity)


def make_mask(real: np.ndarray, fake: np.ndarray, config: MaskConfig = MaskConfig()) -> np.ndarray:
    """Bool (H, W) mask of where `fake` was manipulated relative to the aligned `real`."""
    return mask_from_distance(difference_map(real, fake, config.blur_kernel), config)
