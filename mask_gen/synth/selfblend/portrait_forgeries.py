"""A second family of synthetic forgeries, made differently from `mask_gen.synth.manipulations`.

The mask procedure's defaults must not be chosen on the family they are tested on, so this one shares
as little with the first as it can: other photographs (real face portraits with their 5 landmarks, e.g.
`../shared/data/faces`, instead of scikit-image's bundled pictures), other regions (landmark face hulls
instead of random ellipses and polygons), other edits (a donor face aligned on the landmarks and
Poisson-blended, a hue and saturation recolouring, a tone-and-warp self-blend), grain shared by the
real and the fake (a camera's sensor noise, which compression then treats differently), another frame
size and camera motion, and the portrait staged in front of a defocused backdrop (another portrait) so
that the face fills a fifth of the frame's width, as in broadcast video, not all of it. The exact mask is, as in the first family, blend alpha >= 0.5.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.media.reader import read_image
from mask_gen.synth.manipulations import SynthPair, clone_region
from mask_gen.synth.selfblend.blend import SelfBlendConfig, aligned_donor, blend_alpha, mix
from mask_gen.synth.selfblend.portraits import FacePhoto

# Sharper hulls than the training generator's (its blur reaches 25 px at a 100 px face), no erosion
# bias: the region is a face, its edge soft enough that a blend leaves no step.
HULL = SelfBlendConfig(blur_kernels=(3, 11))


def _donor_poisson(
    real: np.ndarray, alpha: np.ndarray, points: np.ndarray, donor: FacePhoto, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Another person's face, aligned on the 5 landmarks and Poisson-blended into the hull (the way
    FaceForensics++'s Deepfakes are pasted; the whole cloned region counts as changed)."""
    region = alpha >= 0.5
    region[:2], region[-2:], region[:, :2], region[:, -2:] = False, False, False, False
    aligned = aligned_donor(read_image(donor.path), donor.landmark_array(), points, real.shape)
    if aligned is None or not region.any():
        return real.copy(), np.zeros(real.shape[:2], np.float32)
    mode = cv2.NORMAL_CLONE if rng.random() < 0.5 else cv2.MIXED_CLONE
    return clone_region(aligned, real, region, mode), region.astype(np.float32)


def _recolour(
    real: np.ndarray, alpha: np.ndarray, points: np.ndarray, donor: FacePhoto, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Skin tone changed inside the soft hull: hue turned, saturation and value scaled, and a colour
    cast (so that a grey or dark photo, where hue and saturation barely move, is changed too)."""
    hsv = cv2.cvtColor(real, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.choice([-1, 1]) * rng.uniform(4, 12)) % 180
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(1.2, 1.6) + 10, 0, 255)
    hsv[..., 2] = np.clip(hsv[..., 2] * rng.uniform(0.85, 1.15), 0, 255)
    source = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB).astype(np.float32)
    cast = rng.uniform(-8, 8, 3)
    cast[rng.integers(3)] = rng.choice([-1, 1]) * rng.uniform(12, 24)
    return mix(real, np.clip(source + cast, 0, 255), alpha), alpha


def _tone_warp(
    real: np.ndarray, alpha: np.ndarray, points: np.ndarray, donor: FacePhoto, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The same face, gamma-changed, slightly rotated and rescaled about the nose, blended back in."""
    gamma = rng.choice([-1, 1]) * rng.uniform(0.15, 0.35)
    table = np.clip(255 * (np.arange(256) / 255) ** np.exp(gamma), 0, 255).astype(np.uint8)
    source = cv2.LUT(real, table)
    nose = (float(points[2, 0]), float(points[2, 1]))
    matrix = cv2.getRotationMatrix2D(nose, rng.uniform(-4, 4), rng.uniform(0.96, 1.04))
    source = cv2.warpAffine(source, matrix, real.shape[1::-1], borderMode=cv2.BORDER_REFLECT)
    return mix(real, source, alpha), alpha


Edit = Callable[
    [np.ndarray, np.ndarray, np.ndarray, FacePhoto, np.random.Generator], tuple[np.ndarray, np.ndarray]
]
EDITS: dict[str, Edit] = {"donor_poisson": _donor_poisson, "recolour": _recolour, "tone_warp": _tone_warp}


def stage(
    portrait: np.ndarray, points: np.ndarray, backdrop: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The portrait pasted at the bottom of a canvas 2.4x as wide and 1.6x as tall whose rest is the
    defocused `backdrop`; returns the canvas and the landmarks moved with the portrait."""
    height, width = portrait.shape[:2]
    size = (int(width * 2.4) // 2 * 2, int(height * 1.6) // 2 * 2)
    canvas = cv2.GaussianBlur(cv2.resize(backdrop, size, interpolation=cv2.INTER_LINEAR), (0, 0), 6)
    left = int(rng.integers(0, size[0] - width + 1))
    top = size[1] - height
    canvas[top:, left : left + width] = portrait
    return canvas, points + (left, top)


def portrait_pair(
    photo: FacePhoto, donor: FacePhoto, kind: str, rng: np.random.Generator, grain: float = 0.0
) -> SynthPair:
    """A real portrait staged in front of the donor's photo, defocused (with `grain`-sigma sensor noise
    shared by both), and its forgery by `kind`."""
    if kind not in EDITS:
        raise ConfigError(f"unknown portrait edit {kind!r}; choose from {', '.join(EDITS)}")
    real, points = stage(read_image(photo.path), photo.landmark_array(), read_image(donor.path), rng)
    if grain > 0:
        real = np.clip(real + rng.normal(0, grain, real.shape), 0, 255).astype(np.uint8)
    alpha = blend_alpha(points, real.shape, HULL, rng)
    fake, alpha = EDITS[kind](real, alpha, points, donor, rng)
    return SynthPair(real=real, fake=fake, mask=alpha >= 0.5, alpha=alpha, kind=kind)


def portrait_pairs(
    photos: Sequence[FacePhoto], count: int, seed: int = 0, kinds: Sequence[str] = tuple(EDITS)
) -> list[SynthPair]:
    """`count` forgeries cycling through the edits, photos drawn at random (donors among the others)."""
    if len(photos) < 2:
        raise ConfigError(f"portrait forgeries need at least 2 photos, got {len(photos)}")
    rng = np.random.default_rng(seed)
    pairs = []
    for index in range(count):
        first, second = rng.choice(len(photos), 2, replace=False)
        pair = portrait_pair(photos[first], photos[second], kinds[index % len(kinds)], rng, rng.uniform(1, 4))
        pairs.append(pair)
    return pairs
