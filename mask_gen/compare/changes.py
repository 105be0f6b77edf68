"""What changed in a suspect frame: the mask procedure on it and the source frame warped onto it.

The procedure is mask-gen's (mask_gen.core: blur, Euclidean RGB distance, hysteresis, holes filled,
regions of at least min_region_px) with the same defaults. Its seed cut is raised above the compression
noise measured on the matched background (median + noise_k robust sigmas of the distance over the
pixels both frames show), so a re-encoded upload's block noise is not taken for an edit; pixels outside
the source's area (letterbox bars, a crop's lost edge) are never part of the mask.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from localize.inference.components import fill_holes, hysteresis, keep_large_components
from mask_gen.core import (
    DEFAULT_THRESHOLD,
    MaskConfig,
    difference_map,
    noise_level,
    ring_noise_cut,
)

NOISE_STEP = 7
LIKENESS_CLIP = 30
CHROMA_REACH = 2
TOLERANT_SHARE = 0.1  # a seed also lies this share of the cut outside its neighbourhood's range


@dataclass(frozen=True)
class FrameChange:
    """The mask of one aligned frame pair and the figures behind it.

    Args:
        mask: bool (H, W) in suspect pixels, True = changed.
        cut: the seed cut used (RGB distance units).
        background: median distance over the valid pixels (the matched background's noise).
        region_fraction: masked share of the whole suspect frame.
    """

    mask: np.ndarray
    cut: float
    background: float
    region_fraction: float


def grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def likeness(suspect_grey: np.ndarray, warped: np.ndarray, valid: np.ndarray) -> float:
    """Mean absolute grey difference of a (shrunk) suspect frame and a source frame warped onto it over
    the valid pixels, each clipped at LIKENESS_CLIP levels: lowest for the counterpart frame. Motion
    anywhere counts (a median would ignore it); the clip keeps the manipulated region from outweighing
    it."""
    if not valid.any():
        return float("inf")
    difference = np.minimum(cv2.absdiff(suspect_grey, grey(warped)), LIKENESS_CLIP)
    return float(difference[valid].mean())


def _noise(values: np.ndarray) -> tuple[float, float]:
    """noise_level of a large sample, on every NOISE_STEP-th value (the median of a million pixels
    needs no more)."""
    return noise_level(values[::NOISE_STEP] if values.size > 64 * NOISE_STEP else values)


def beyond_range(here: np.ndarray, there: np.ndarray, where: np.ndarray, reach: int = 1) -> np.ndarray:
    """At the pixels `where` (bool HxW), how far each (blurred) suspect pixel of `here` lies outside the
    range the (blurred) warped source `there` spans around it: per channel of YCrCb, within `reach` px
    for brightness and CHROMA_REACH x that for colour (every H.264 encode halves the colour
    resolution, so colour edges coded twice sit further apart than brightness edges), Euclidean over the
    three. Zero where the suspect's value lies in the range: a warped frame is resampled, so its edges
    sit a pixel or so from the suspect's, and a plain difference turns every strong edge into a thin
    'change'; an edit that brings in values the neighbourhood never had stands out in full. Computed
    only where asked: the candidates are a small part of a frame."""
    here_ycc, there_ycc = cv2.cvtColor(here, cv2.COLOR_RGB2YCrCb), cv2.cvtColor(there, cv2.COLOR_RGB2YCrCb)
    total = np.zeros(int(where.sum()), np.float32)
    for channel in range(3):
        side = 2 * (reach if channel == 0 else CHROMA_REACH * reach) + 1
        kernel = np.ones((side, side), np.uint8)
        plane = np.ascontiguousarray(there_ycc[..., channel])
        low, high = cv2.erode(plane, kernel)[where], cv2.dilate(plane, kernel)[where]
        value = here_ycc[..., channel][where].astype(np.float32)
        excess = np.maximum(value - high, 0.0) + np.maximum(low - value, 0.0)
        total += excess * excess
    return np.sqrt(total)


def at_scale(config: MaskConfig, scale: float) -> MaskConfig:
    """The procedure's sizes for a suspect shown at 1/scale of the source's size (scale: source pixels
    per suspect pixel): the blur (rounded, then up to an odd side), areas and the noise band shrink with it, so
    a region that counts in the source counts in a downscaled copy and its faint edge is not blurred
    away. A suspect as large as its source or larger keeps them."""
    if scale <= 1.0:
        return config
    shrink = 1.0 / scale
    inner, outer = config.grow_ring
    return dataclasses.replace(
        config,
        blur_kernel=max(1, round(config.blur_kernel * shrink) | 1),
        min_region_px=max(16, round(config.min_region_px * shrink * shrink)),
        min_seed_px=max(3, round(config.min_seed_px * shrink * shrink)),
        grow_ring=(round(inner * shrink), max(round(inner * shrink) + 4, round(outer * shrink))),
    )


def frame_change(
    suspect: np.ndarray, warped: np.ndarray, valid: np.ndarray, config: MaskConfig = MaskConfig()
) -> FrameChange:
    """The changed region of `suspect` against the source frame `warped` onto it (`valid`: where the
    source has pixels).

    Seeds are where the plain distance passes the cut and the suspect also lies a tenth of the cut
    outside the range its neighbourhood spans in the warped source (beyond_range: no edge is a seed
    for being a pixel off). They grow, as in mask-gen, through the plain distance above the low cut
    (the faint inside of an edit), the low cut never below the background's noise.
    """
    if not valid.any():
        return FrameChange(np.zeros(valid.shape, bool), float("inf"), float("inf"), 0.0)
    size = (config.blur_kernel, config.blur_kernel)
    here, there = cv2.GaussianBlur(suspect, size, 0), cv2.GaussianBlur(warped, size, 0)
    plain = difference_map(here, there, 1)  # both already blurred
    median, sigma = _noise(plain[valid])
    base = DEFAULT_THRESHOLD if config.threshold == "auto" else float(config.threshold)
    cut = float(min(441.0, max(base, median + config.noise_k * sigma)))
    plain[~valid] = 0.0
    seeds = plain > cut
    seeds[seeds] = beyond_range(here, there, seeds) > cut * TOLERANT_SHARE
    seeds = keep_large_components(seeds, config.min_seed_px, config.connectivity)
    mask = seeds
    if config.grow is not None and seeds.any():
        floor = max(config.grow_floor, median + config.grow_k * sigma)
        ring = ring_noise_cut(plain, seeds, config) if config.grow == "auto" else float(config.grow)
        mask = hysteresis(plain, seeds, min(cut, max(floor, ring)), config.connectivity)
    if config.fill_holes:
        mask = fill_holes(mask)
    mask = keep_large_components(mask & valid, config.min_region_px, config.connectivity)
    return FrameChange(mask, cut, median, float(mask.mean()))
