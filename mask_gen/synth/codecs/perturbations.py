"""One registry of image perturbations, each an albumentations transform, with one spec syntax.

`kind:level` (a fixed level, e.g. `jpeg:50`, `h264:40`, `blur:9`) or `kind:low-high` (drawn per image,
e.g. `jpeg:30-95`) names the same degradation wherever it is used: eval's robustness suite, the training
augmentation and the synthetic clips' compression conditions. The transforms wrap the project's own
functions (the cv2 JPEG round trip, libx264 through PyAV, `cv2.GaussianBlur` with sigma from the kernel)
rather than albumentations' look-alikes, whose results differ (2.0.8: `GaussianBlur` has no sigma-from-
kernel mode, `ImageCompression` encodes the RGB array as if it were BGR), so a figure measured under
`jpeg:50` means one thing everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import albumentations as A
import cv2
import numpy as np

from localize.common.errors import ConfigError
from mask_gen.synth.codecs.compression import jpeg_roundtrip
from mask_gen.synth.codecs.h264 import h264_still


def _blur(image: np.ndarray, kernel: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (int(kernel), int(kernel)), 0)


def _noise(image: np.ndarray, sigma: float) -> np.ndarray:
    """Additive Gaussian noise of `sigma` grey levels, seeded by the image so a run repeats."""
    rng = np.random.default_rng(int(image[::7, ::7].sum()))
    noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    """Down- or up-sampled by `scale` and back to its size (a model's input is fixed)."""
    height, width = image.shape[:2]
    small = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def _rotation(shape: tuple[int, ...], degrees: float) -> np.ndarray:
    height, width = shape[:2]
    return cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)


def _rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rotated about the centre, borders reflected."""
    size = image.shape[1::-1]
    return cv2.warpAffine(image, _rotation(image.shape, degrees), size, borderMode=cv2.BORDER_REFLECT_101)


def _rotate_mask(mask: np.ndarray, degrees: float) -> np.ndarray:
    moved = cv2.warpAffine(
        mask.astype(np.uint8), _rotation(mask.shape, degrees), mask.shape[1::-1], flags=cv2.INTER_NEAREST
    )
    return moved.astype(mask.dtype)


@dataclass(frozen=True)
class Kind:
    """A perturbation: what it does to an image (and to a mask, when it moves pixels), its level's unit
    and valid range, and whether levels are whole numbers (odd ones for kernels)."""

    image: Callable[[np.ndarray, float], np.ndarray]
    unit: str
    valid: Callable[[float], bool]
    mask: Callable[[np.ndarray, float], np.ndarray] | None = None
    step: int = 0  # 0: any number; 1: integers; 2: odd integers


KINDS: dict[str, Kind] = {
    "jpeg": Kind(lambda im, q: jpeg_roundtrip(im, int(q)), "quality", lambda q: 1 <= q <= 100, step=1),
    "h264": Kind(lambda im, c: h264_still(im, int(c)), "CRF", lambda c: 0 <= c <= 51, step=1),
    "blur": Kind(_blur, "kernel px", lambda k: k >= 1 and k % 2 == 1, step=2),
    "noise": Kind(_noise, "sigma", lambda s: s >= 0),
    "resize": Kind(_resize, "scale", lambda s: s > 0),
    "rotate": Kind(_rotate, "degrees", lambda d: True, mask=_rotate_mask),
}


@dataclass(frozen=True)
class Spec:
    """A parsed `kind:level` or `kind:low-high`."""

    kind: str
    low: float
    high: float

    @property
    def label(self) -> str:
        return f"{self.kind} {self.low:g}" + (f"-{self.high:g}" if self.high != self.low else "")

    def transform(self, p: float = 1.0) -> Perturb:
        """The albumentations transform that applies this perturbation with probability `p`."""
        return Perturb(self.kind, (self.low, self.high), p=p)


def parse_spec(text: str) -> Spec:
    """`kind:level` or `kind:low-high` -> Spec, kind and range checked (ConfigError naming the problem)."""
    kind, _, levels = text.strip().partition(":")
    if kind not in KINDS:
        raise ConfigError(f"unknown perturbation {kind!r} in {text!r}; use {', '.join(KINDS)}")
    low, dash, high = levels.partition("-") if not levels.startswith("-") else (levels, "", "")
    try:
        spec = Spec(kind, float(low), float(high) if dash else float(low))
    except ValueError:
        raise ConfigError(f"perturbation {text!r} needs a number after the colon, e.g. jpeg:50") from None
    if not (KINDS[kind].valid(spec.low) and KINDS[kind].valid(spec.high) and spec.low <= spec.high):
        raise ConfigError(f"perturbation {kind}:{levels} is out of range ({KINDS[kind].unit})")
    return spec


class Perturb(A.DualTransform):
    """A registered perturbation as an albumentations transform: `kind` at a level drawn from
    `level_range` (uniformly; whole or odd numbers where the kind needs them). Masks move only with
    geometric kinds (rotate).

    Targets:
        image, mask
    """

    def __init__(self, kind: str, level_range: tuple[float, float], p: float = 1.0) -> None:
        super().__init__(p=p)
        if kind not in KINDS:
            raise ConfigError(f"unknown perturbation {kind!r}; use {', '.join(KINDS)}")
        self.kind, self.level_range = kind, (float(level_range[0]), float(level_range[1]))

    def get_params(self) -> dict:
        low, high = self.level_range
        step = KINDS[self.kind].step
        if step == 0:
            return {"level": self.py_random.uniform(low, high)}
        if step == 2:  # odd integers in [low, high]
            return {"level": float(2 * self.py_random.randint(int(low) // 2, int(high) // 2) + 1)}
        return {"level": float(self.py_random.randint(int(low), int(high)))}

    def apply(self, img: np.ndarray, level: float = 0.0, **params) -> np.ndarray:
        return KINDS[self.kind].image(img, level)

    def apply_to_mask(self, mask: np.ndarray, level: float = 0.0, **params) -> np.ndarray:
        moves = KINDS[self.kind].mask
        return mask if moves is None else moves(mask, level)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("kind", "level_range")
