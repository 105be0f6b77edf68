"""Manipulations with an exactly known region: self-blending, splicing, blurring, inpainting.

Each one makes a *source* image from the real one (or a donor) and blends it in through a soft mask,
so the changed region is known by construction (Face X-ray, Li et al. 2020; SBI, Shiohara & Yamasaki
2022). The ground-truth mask is alpha >= 0.5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.faces.tracker import Box
from mask_gen.synth.shapes import random_blend_mask


@dataclass(frozen=True)
class SynthPair:
    """A real image, its fake, the exact bool mask of the change and the manipulation's name."""

    real: np.ndarray
    fake: np.ndarray
    mask: np.ndarray
    alpha: np.ndarray
    kind: str


def _self_blend(
    real: np.ndarray, alpha: np.ndarray, rng: np.random.Generator, donor: np.ndarray
) -> np.ndarray:
    """A colour-shifted, slightly warped copy of the same image (the SBI artefacts)."""
    height, width = real.shape[:2]
    source = real.astype(np.float32) * rng.uniform(0.85, 1.15, 3)
    source += rng.choice([-1.0, 1.0]) * rng.uniform(15, 35) + rng.uniform(-6, 6, 3)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-3, 3), rng.uniform(0.95, 1.05))
    matrix[:, 2] += rng.uniform(-0.02, 0.02, 2) * (width, height)
    source = cv2.warpAffine(source, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
    return np.clip(source, 0, 255)


def _blur(real: np.ndarray, alpha: np.ndarray, rng: np.random.Generator, donor: np.ndarray) -> np.ndarray:
    """Down- and up-sampled copy with a tone shift: the blurry, off-colour face of low-resolution swaps."""
    height, width = real.shape[:2]
    factor = rng.uniform(4, 8)
    small = cv2.resize(
        real, (max(2, int(width / factor)), max(2, int(height / factor))), interpolation=cv2.INTER_AREA
    )
    source = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return np.clip(source * rng.uniform(0.9, 1.1) + rng.choice([-1.0, 1.0]) * rng.uniform(10, 25), 0, 255)


def _inpaint(real: np.ndarray, alpha: np.ndarray, rng: np.random.Generator, donor: np.ndarray) -> np.ndarray:
    """The region filled in from its surroundings (object removal)."""
    hole = (alpha > 0.02).astype(np.uint8) * 255
    method = cv2.INPAINT_TELEA if rng.random() < 0.5 else cv2.INPAINT_NS
    return cv2.inpaint(real, hole, 5, method).astype(np.float32)


def match_colours(donor: np.ndarray, real: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Reinhard colour transfer in Lab: donor's region statistics moved onto the real's."""
    src = cv2.cvtColor(donor, cv2.COLOR_RGB2LAB).astype(np.float32)
    dst = cv2.cvtColor(real, cv2.COLOR_RGB2LAB).astype(np.float32)
    src_mean, src_std = src[region].mean(0), src[region].std(0) + 1e-3
    dst_mean, dst_std = dst[region].mean(0), dst[region].std(0) + 1e-3
    moved = np.clip((src - src_mean) / src_std * dst_std + dst_mean, 0, 255).astype(np.uint8)
    return cv2.cvtColor(moved, cv2.COLOR_LAB2RGB)


def clone_region(source: np.ndarray, real: np.ndarray, region: np.ndarray, mode: int) -> np.ndarray:
    """`source` Poisson-cloned into `real` over the non-empty bool `region` (cv2.seamlessClone centred
    on the region's bounding box, so source and real stay in register)."""
    ys, xs = np.nonzero(region)
    centre = (int((xs.min() + xs.max() + 1) // 2), int((ys.min() + ys.max() + 1) // 2))
    return cv2.seamlessClone(source, real, region.astype(np.uint8) * 255, centre, mode)


def _splice(real: np.ndarray, alpha: np.ndarray, rng: np.random.Generator, donor: np.ndarray) -> np.ndarray:
    """Donor content, colour-matched and Poisson-blended (cv2.seamlessClone) into the region."""
    height, width = real.shape[:2]
    region = alpha >= 0.5
    region[:2], region[-2:], region[:, :2], region[:, -2:] = False, False, False, False
    if not region.any():
        return real.astype(np.float32)
    donor = match_colours(cv2.resize(donor, (width, height), interpolation=cv2.INTER_AREA), real, region)
    return clone_region(donor, real, region, cv2.NORMAL_CLONE).astype(np.float32)


Manipulation = Callable[[np.ndarray, np.ndarray, np.random.Generator, np.ndarray], np.ndarray]
MANIPULATIONS: dict[str, Manipulation] = {
    "self_blend": _self_blend,
    "splice": _splice,
    "blur": _blur,
    "inpaint": _inpaint,
}


def make_image_pair(
    real: np.ndarray,
    rng: np.random.Generator,
    kind: str,
    donor: np.ndarray | None = None,
    face: Box | None = None,
) -> SynthPair:
    """Fake `real` with manipulation `kind` inside a random soft region; return the pair and its mask."""
    if kind not in MANIPULATIONS:
        raise ConfigError(f"unknown manipulation {kind!r}; choose from {', '.join(MANIPULATIONS)}")
    alpha = random_blend_mask(real.shape[:2], rng, face)
    if kind == "splice":
        alpha = (alpha >= 0.5).astype(np.float32)
    source = MANIPULATIONS[kind](real, alpha, rng, real if donor is None else donor)
    blended = alpha[..., None] * source + (1.0 - alpha[..., None]) * real.astype(np.float32)
    fake = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return SynthPair(real=real, fake=fake, mask=alpha >= 0.5, alpha=alpha, kind=kind)
