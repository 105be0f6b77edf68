"""Self-blended images: a real face blended into a transformed copy of itself, with its exact blend mask.

Self-Blended Images (SBI, Shiohara & Yamasaki, CVPR 2022): source and target are the same photo; the
source gets colour and frequency changes and a small affine warp, and is blended into the target through
a blurred face-hull mask, leaving the blending boundary and colour mismatch that face swaps leave. The
blend alpha is known exactly, so it is a pixel target (Face X-ray, Li et al. 2020). SBI builds its hull
from 81 landmarks; from the 5 a face detector gives (eyes, nose, mouth corners) the face oval is
extrapolated to chin and forehead, and its shape varied (whole face, lower face, eyes-nose-mouth).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import albumentations as A
import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.faces.tracker import Box
from mask_gen.synth.manipulations import clone_region, match_colours

HULLS = ("face", "lower", "inner")
FREQUENCY_CHANGES = ("downscale", "sharpen")  # the source copy's frequency change, one drawn (SBI's)
BLEND_RATIOS = (0.25, 0.5, 0.75, 1.0, 1.0, 1.0)  # SBI's draw


@dataclass(frozen=True)
class SelfBlendConfig:
    """How a self-blend is drawn.

    Args:
        hulls: face-hull shapes to draw from: "face" (forehead to chin), "lower" (below the eyes),
            "inner" (eyes, nose and mouth).
        shift: largest affine translation of the source, as a fraction of the face size.
        scale: largest affine scale change of the source (0.05: 0.95-1.05).
        elastic: strength of the hull's random deformation, as a fraction of the face size.
        blur_kernels: (smallest, largest) odd Gaussian kernel for the two mask blurs, at a 100 px face.
        mask_cut: blend alpha above which a pixel counts as changed in the binary mask.
        frequency: the source copy's frequency changes, one drawn per blend: "downscale" (down to
            0.25-0.5x and back: a softer face) and "sharpen" (a 3x3 sharpening: a crisper one).
    """

    hulls: tuple[str, ...] = HULLS
    shift: float = 0.03
    scale: float = 0.05
    elastic: float = 0.06
    blur_kernels: tuple[int, int] = (5, 25)
    mask_cut: float = 0.1
    frequency: tuple[str, ...] = FREQUENCY_CHANGES

    def __post_init__(self) -> None:
        if not self.frequency or any(f not in FREQUENCY_CHANGES for f in self.frequency):
            raise ConfigError(
                f"frequency must be some of {', '.join(FREQUENCY_CHANGES)}, got {self.frequency!r}"
            )
        if not self.hulls or any(h not in HULLS for h in self.hulls):
            raise ConfigError(f"hulls must be some of {', '.join(HULLS)}, got {self.hulls!r}")
        if not (0 <= self.shift < 0.5 and 0 <= self.scale < 0.5 and 0 <= self.elastic < 0.5):
            raise ConfigError("shift, scale and elastic are small fractions in [0, 0.5)")
        low, high = self.blur_kernels
        if not 1 <= low <= high:
            raise ConfigError(f"blur_kernels must satisfy 1 <= low <= high, got {self.blur_kernels}")
        if not 0 < self.mask_cut < 1:
            raise ConfigError(f"mask_cut must be in (0, 1), got {self.mask_cut}")


# Where YuNet's 5 landmarks sit in its own box (fractions of width and height): the median over the 2,905
# portraits of ../shared/data/faces (right eye, left eye, nose tip, right and left mouth corners).
TYPICAL_LANDMARKS = np.array([[0.268, 0.390], [0.743, 0.387], [0.514, 0.586], [0.309, 0.731], [0.716, 0.731]])


# each hull kind's (centre offset along the eyes-to-mouth axis in eye-mouth lengths, half width in eye
# distances, half height in eye-mouth lengths), before face_hull's random 0.85-1.15x
HULL_SHAPES = {
    "face": (0.45, 1.05, 1.75),
    "lower": (0.95, 0.95, 1.05),
    "inner": (0.45, 0.8, 1.05),
}


def typical_landmarks(box: Box) -> np.ndarray:
    """The (5, 2) landmarks a frontal face in this YuNet-convention box typically has: for a detector
    that gives boxes only (the LBP fallback, whose boxes are mapped onto YuNet's)."""
    x0, y0, x1, y1 = box
    return TYPICAL_LANDMARKS * (x1 - x0, y1 - y0) + (x0, y0)


def face_axes(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """The face's frame from 5 landmarks: (eyes' midpoint, unit vector from the eyes to the mouth, unit
    vector across the face towards the image's left-eye side, eye-to-mouth length, eye distance (at
    least half that length))."""
    points = np.asarray(landmarks, np.float64).reshape(5, 2)
    eyes, mouth = points[:2].mean(0), points[3:].mean(0)
    down = mouth - eyes
    length = float(np.hypot(*down)) or 1.0
    down /= length
    across = np.array([-down[1], down[0]])
    width = max(float(np.hypot(*(points[1] - points[0]))), 0.5 * length)
    return eyes, down, across, length, width


def face_hull(
    landmarks: np.ndarray, shape: tuple[int, ...], kind: str, rng: np.random.Generator
) -> np.ndarray:
    """A filled face-hull mask (float32 0/1, HxW) extrapolated from 5 landmarks.

    Args:
        landmarks: (5, 2) x, y of right eye, left eye, nose tip, right and left mouth corners.
        shape: the image's shape (H, W, ...).
        kind: "face", "lower" or "inner" (see SelfBlendConfig).
        rng: the random stream for the hull's proportions and jitter.
    """
    eyes, down, across, length, width = face_axes(landmarks)
    centre, half_w, half_h = HULL_SHAPES[kind]
    half_w *= rng.uniform(0.85, 1.15)
    half_h *= rng.uniform(0.85, 1.15)
    middle = eyes + down * length * (centre + rng.uniform(-0.1, 0.1))
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    radius = 1 + rng.uniform(-0.06, 0.06, len(angles))
    outline = (
        middle
        + np.outer(np.cos(angles) * radius * half_w * width, across)
        + np.outer(np.sin(angles) * radius * half_h * length, down)
    )
    if kind == "lower":  # flat top just under the eyes
        top = eyes + down * length * rng.uniform(0.2, 0.45)
        above = (outline - top) @ down < 0
        outline[above] -= np.outer((outline[above] - top) @ down, down)
    hull = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(hull, [np.round(cv2.convexHull(outline.astype(np.float32))).astype(np.int32)], 1)
    return hull.astype(np.float32)


def _deform(mask: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """The mask warped by a smooth random displacement field of about `strength` pixels."""
    height, width = mask.shape
    if strength < 0.5:
        return mask
    coarse = rng.normal(0, strength, (2, 4, 4)).astype(np.float32)
    dx, dy = (cv2.resize(c, (width, height), interpolation=cv2.INTER_CUBIC) for c in coarse)
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return cv2.remap(mask, grid_x + dx, grid_y + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def _require_rgb(real: np.ndarray, who: str) -> None:
    if real.dtype != np.uint8 or real.ndim != 3 or real.shape[2] != 3:
        raise ConfigError(f"{who} takes an RGB uint8 image, got {real.dtype} {real.shape}")


def _face_width(points: np.ndarray) -> float:
    """About the face's width from its (5, 2) landmarks: 2.5 eye distances, at least 8 px."""
    return max(float(np.hypot(*(points[1] - points[0]))) * 2.5, 8.0)


def _odd(value: float) -> int:
    return max(1, int(value) // 2 * 2 + 1)


def blend_alpha(
    landmarks: np.ndarray, shape: tuple[int, ...], config: SelfBlendConfig, rng: np.random.Generator
) -> np.ndarray:
    """A soft blend mask in [0, 1]: a random hull, deformed, eroded or dilated, blurred twice."""
    points = np.asarray(landmarks, np.float64).reshape(5, 2)
    face = _face_width(points)
    alpha = face_hull(points, shape, str(rng.choice(config.hulls)), rng)
    alpha = _deform(alpha, config.elastic * face, rng)
    kernel = _odd(face * rng.uniform(0.02, 0.08))
    morph = cv2.erode if rng.random() < 0.5 else cv2.dilate
    alpha = morph(alpha, np.ones((kernel, kernel), np.uint8))
    low, high = config.blur_kernels
    for _ in range(2):
        size = _odd(rng.uniform(low, high) * face / 100)
        alpha = cv2.GaussianBlur(alpha, (size, size), 0)
    return np.clip(alpha, 0.0, 1.0)


_FREQUENCY = {
    "downscale": lambda: A.Downscale(
        scale_range=(0.25, 0.5),
        interpolation_pair={"downscale": cv2.INTER_AREA, "upscale": cv2.INTER_LINEAR},
        p=1.0,
    ),
    "sharpen": lambda: A.Sharpen(alpha=(0.2, 0.5), p=1.0),
}


@lru_cache(maxsize=8)
def _source_changes(frequency: tuple[str, ...]) -> A.Compose:
    """The source copy's colour changes (each p 0.3) and one frequency change drawn from `frequency`."""
    return A.Compose(
        [
            A.RGBShift(r_shift_limit=20, g_shift_limit=20, b_shift_limit=20, p=0.3),
            A.HueSaturationValue(hue_shift_limit=10, sat_shift_limit=30, val_shift_limit=20, p=0.3),
            A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1, p=0.3),
            A.OneOf([_FREQUENCY[name]() for name in frequency], p=1.0),
        ]
    )


def _source(real: np.ndarray, face: float, config: SelfBlendConfig, rng: np.random.Generator) -> np.ndarray:
    """The transformed copy: colour and frequency changes, then a small affine warp."""
    changes = _source_changes(tuple(config.frequency))
    changes.set_random_seed(int(rng.integers(2**31)))  # the same rng, the same source
    source = changes(image=real)["image"]
    height, width = real.shape[:2]
    scale = 1 + rng.uniform(-config.scale, config.scale)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 0.0, scale)
    matrix[:, 2] += rng.uniform(-config.shift, config.shift, 2) * face
    return cv2.warpAffine(source, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def self_blend(
    real: np.ndarray,
    landmarks: np.ndarray,
    rng: np.random.Generator,
    config: SelfBlendConfig = SelfBlendConfig(),
) -> tuple[np.ndarray, np.ndarray]:
    """A self-blended fake of `real` and its exact soft mask.

    Args:
        real: RGB uint8 (H, W, 3) photo with one face.
        landmarks: (5, 2) landmarks of that face (YuNet order).
        rng: the random stream (the same seed gives the same fake).
        config: how the blend is drawn.

    Returns:
        (fake RGB uint8 (H, W, 3), alpha float32 (H, W) in [0, 1]: the weight of the source per pixel).
        The binary mask is `alpha > config.mask_cut`.
    """
    _require_rgb(real, "self_blend")
    points = np.asarray(landmarks, np.float64).reshape(5, 2)
    face = _face_width(points)
    alpha = blend_alpha(points, real.shape, config, rng) * float(rng.choice(BLEND_RATIOS))
    return mix(real, _source(real, face, config, rng), alpha), alpha.astype(np.float32)


def mix(real: np.ndarray, source: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """`source` blended into `real` with per-pixel weight `alpha`, rounded back to uint8."""
    weight = alpha[..., None]
    fake = source.astype(np.float32) * weight + real.astype(np.float32) * (1 - weight)
    return np.clip(np.round(fake), 0, 255).astype(np.uint8)


def aligned_donor(
    donor: np.ndarray, donor_landmarks: np.ndarray, landmarks: np.ndarray, shape: tuple[int, ...]
) -> np.ndarray | None:
    """`donor` moved by the similarity transform that puts its 5 landmarks on `landmarks`, on a canvas of
    `shape` (borders reflected); None when the landmarks admit no such transform."""
    matrix, _ = cv2.estimateAffinePartial2D(
        np.asarray(donor_landmarks, np.float32).reshape(5, 2), np.asarray(landmarks, np.float32).reshape(5, 2)
    )
    if matrix is None:
        return None
    height, width = shape[:2]
    return cv2.warpAffine(donor, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def poisson_self_blend(
    real: np.ndarray,
    landmarks: np.ndarray,
    rng: np.random.Generator,
    config: SelfBlendConfig = SelfBlendConfig(),
) -> tuple[np.ndarray, np.ndarray]:
    """A self-blend cloned in the gradient domain (cv2.seamlessClone, normal cloning) instead of mixed
    by alpha: the source copy's colour steps vanish at the seam, its frequency changes and shift stay, as
    a Poisson-blended face swap leaves them. (Mixed cloning keeps the stronger of the two gradients, so
    a softened copy of the same face often changes almost nothing while its mask says all changed.)

    Args:
        real: RGB uint8 (H, W, 3) photo with one face.
        landmarks: (5, 2) landmarks of that face (YuNet order).
        rng: the random stream (the same seed gives the same fake).
        config: how the hull and the source's changes are drawn.

    Returns:
        (fake RGB uint8 (H, W, 3), mask float32 (H, W) of 0 and 1: the whole cloned region, as
        `mask_gen.synth.selfblend.portrait_forgeries`' donor swaps count it).
    """
    _require_rgb(real, "poisson_self_blend")
    points = np.asarray(landmarks, np.float64).reshape(5, 2)
    face = _face_width(points)
    region = blend_alpha(points, real.shape, config, rng) >= 0.5
    region[:2], region[-2:], region[:, :2], region[:, -2:] = False, False, False, False
    source = _source(real, face, config, rng)
    if region.sum() < 16:
        return real.copy(), np.zeros(real.shape[:2], np.float32)
    cloned = clone_region(source, real, region, cv2.NORMAL_CLONE)
    # OpenCV's solver also moves pixels a few px outside the mask: keep the real face there exactly
    return np.where(region[..., None], cloned, real), region.astype(np.float32)


def is_grey(image: np.ndarray) -> bool:
    """Whether an RGB image is greyscale stored as colour (its channels differ by under 2 levels on average)."""
    channels = image.astype(np.int16)
    return float(np.abs(channels - channels.mean(2, keepdims=True)).mean()) < 2.0


def donor_blend(
    real: np.ndarray,
    landmarks: np.ndarray,
    donor: np.ndarray,
    donor_landmarks: np.ndarray,
    rng: np.random.Generator,
    config: SelfBlendConfig = SelfBlendConfig(),
) -> tuple[np.ndarray, np.ndarray]:
    """Another person's face blended into `real` (Face X-ray's blended images, Li et al., CVPR 2020),
    drawn as a self-blend is: the donor is aligned on the 5 landmarks (similarity transform), its colours
    moved onto the real face's (Reinhard transfer in Lab over the hull; made grey first when `real` is
    grey), given the self-blend source's colour, frequency and affine changes, and blended through the
    same kind of mask. Where the self-blend leaves only a seam and a colour step, this leaves another
    face's texture and identity inside the seam, as a face swap does.

    Args:
        real: RGB uint8 (H, W, 3) photo with one face.
        landmarks: (5, 2) landmarks of that face (YuNet order).
        donor: RGB uint8 photo of another person.
        donor_landmarks: (5, 2) landmarks of the donor's face.
        rng: the random stream (the same seed gives the same fake).
        config: how the mask and the source's changes are drawn.

    Returns:
        (fake RGB uint8 (H, W, 3), alpha float32 (H, W) in [0, 1]), as `self_blend` returns them; a real
        copy and an empty alpha when the landmarks admit no alignment.
    """
    _require_rgb(real, "donor_blend")
    points = np.asarray(landmarks, np.float64).reshape(5, 2)
    aligned = aligned_donor(donor, donor_landmarks, points, real.shape)
    if aligned is None:
        return real.copy(), np.zeros(real.shape[:2], np.float32)
    if is_grey(real):
        aligned = np.repeat(cv2.cvtColor(aligned, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    face = _face_width(points)
    alpha = blend_alpha(points, real.shape, config, rng) * float(rng.choice(BLEND_RATIOS))
    region = alpha > 0.5
    if region.sum() >= 16:
        aligned = match_colours(aligned, real, region)
    return mix(real, _source(aligned, face, config, rng), alpha), alpha.astype(np.float32)
