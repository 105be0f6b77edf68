"""Whole-crop looks a camera or a codec gives a face: out of focus (`Defocus`), smoothed as webcams
denoise (`Denoise`) and sharpened with halos (`Oversharpen`), as albumentations transforms."""

from __future__ import annotations

import albumentations as A
import cv2
import numpy as np

from localize.common.errors import ConfigError
from mask_gen.synth.selfblend.scene import defocused

DEFOCUS_SIGMAS = (0.008, 0.03)  # Gaussian sigma as a share of the crop's width


class Defocus(A.ImageOnlyTransform):
    """The whole crop out of focus: a Gaussian blur whose sigma is a share of the crop's width drawn
    from `sigma_range` (at 160 px, 1.3-4.8 px), as a soft webcam, a defocused lens or a heavily denoised
    stream leave a face. The stills/footage recipes' `GaussianBlur` (3-5 px kernels, sigma about 1 px)
    stays below that. Applied to real and fake alike, before the codec, as a camera would.

    Targets:
        image
    """

    def __init__(self, sigma_range: tuple[float, float] = DEFOCUS_SIGMAS, p: float = 0.5) -> None:
        super().__init__(p=p)
        low, high = sigma_range
        if not 0 < low <= high < 0.5:
            raise ConfigError(f"sigma_range must satisfy 0 < low <= high < 0.5, got {sigma_range}")
        self.sigma_range = (float(low), float(high))

    def get_params(self) -> dict:
        return {"share": self.py_random.uniform(*self.sigma_range)}

    def apply(self, img: np.ndarray, share: float = 0.02, **params) -> np.ndarray:
        return defocused(img, share * img.shape[1])

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("sigma_range",)


# Edge-preserving smoothing: a bilateral filter (colour sigma; space sigma as a share of the crop's width)
# or OpenCV's non-local means (filter strength h), half each
DENOISE = {"colour_range": (20.0, 80.0), "space_range": (0.015, 0.05), "h_range": (5.0, 20.0)}


class Denoise(A.ImageOnlyTransform):
    """The whole crop smoothed edge-preservingly, as a webcam's or a phone's noise reduction (or a beauty
    filter) leaves a face: skin flat, eyes, hair and outline still sharp. Half the time a bilateral filter
    (colour sigma from `colour_range`, space sigma a share of the crop's width from `space_range`: 2.4-8 px
    at 160 px), half the time non-local means (`h_range`; 7 px patches, 21 px search). Defocus blurs every
    edge alike and leaves this untaught: held-out real faces smoothed so are flagged 22-57 % of the time
    by run 18 (benchmarks/scene_false_alarms.py, "denoised"). Applied to real and fake alike, before the
    codec, as a camera would.

    Targets:
        image
    """

    def __init__(
        self,
        colour_range: tuple[float, float] = DENOISE["colour_range"],
        space_range: tuple[float, float] = DENOISE["space_range"],
        h_range: tuple[float, float] = DENOISE["h_range"],
        p: float = 0.5,
    ) -> None:
        super().__init__(p=p)
        ranges = (colour_range, space_range, h_range)
        if not all(0 < low <= high for low, high in ranges) or space_range[1] >= 0.5:
            raise ConfigError(f"bad denoise ranges: colour {colour_range}, space {space_range}, h {h_range}")
        self.colour_range, self.space_range, self.h_range = (tuple(map(float, r)) for r in ranges)

    def get_params(self) -> dict:
        if self.py_random.random() < 0.5:
            return {
                "method": "bilateral",
                "colour": self.py_random.uniform(*self.colour_range),
                "share": self.py_random.uniform(*self.space_range),
            }
        return {"method": "nlmeans", "h": self.py_random.uniform(*self.h_range)}

    def apply(
        self,
        img: np.ndarray,
        method: str = "bilateral",
        colour: float = 40.0,
        share: float = 0.03,
        h: float = 10.0,
        **params,
    ) -> np.ndarray:
        if method == "nlmeans":
            return nl_means(img, h)
        return bilateral(img, colour, share * img.shape[1])

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("colour_range", "space_range", "h_range")


def bilateral(rgb: np.ndarray, sigma_colour: float, sigma_space: float) -> np.ndarray:
    """OpenCV's bilateral filter (colour sigma in grey levels, space sigma in pixels): flat skin, sharp edges."""
    return cv2.bilateralFilter(rgb, -1, sigma_colour, sigma_space)


def nl_means(rgb: np.ndarray, h: float) -> np.ndarray:
    """OpenCV's non-local means of strength `h` (luma and colour alike; 7 px patches, 21 px search)."""
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb), None, h, h, 7, 21)


OVERSHARPEN = {"amount_range": (0.3, 2.0), "sigma_range": (0.008, 0.02)}  # sigma as a share of the width


class Oversharpen(A.ImageOnlyTransform):
    """The whole crop sharpened as a camera, a phone or a TV sharpens footage: an unsharp mask, crop +
    amount x (crop - blur), amount from `amount_range` and the blur's sigma a share of the crop's width
    from `sigma_range` (at 160 px, 1.3-3.2 px): halos on every edge. The footage recipes' `Sharpen`
    (alpha 0.1-0.4 on a 3x3 kernel) acts mostly finer than that; held-out real faces sharpened with halos
    (amount 1.5) are flagged 81 % of the time by run 14 (benchmarks/scene_false_alarms.py). Applied to real
    and fake alike, before the codec, as a camera would.

    Targets:
        image
    """

    def __init__(
        self,
        amount_range: tuple[float, float] = OVERSHARPEN["amount_range"],
        sigma_range: tuple[float, float] = OVERSHARPEN["sigma_range"],
        p: float = 0.5,
    ) -> None:
        super().__init__(p=p)
        if not 0 < amount_range[0] <= amount_range[1] or not 0 < sigma_range[0] <= sigma_range[1] < 0.5:
            raise ConfigError(f"bad oversharpen ranges: amount {amount_range}, sigma {sigma_range}")
        self.amount_range = (float(amount_range[0]), float(amount_range[1]))
        self.sigma_range = (float(sigma_range[0]), float(sigma_range[1]))

    def get_params(self) -> dict:
        return {
            "amount": self.py_random.uniform(*self.amount_range),
            "share": self.py_random.uniform(*self.sigma_range),
        }

    def apply(self, img: np.ndarray, amount: float = 1.0, share: float = 0.01, **params) -> np.ndarray:
        return unsharp(img, amount, share * img.shape[1])

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("amount_range", "sigma_range")


def unsharp(rgb: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """An unsharp mask: rgb + amount x (rgb - Gaussian blur of `sigma` px), rounded and clipped to uint8."""
    blur = cv2.GaussianBlur(rgb, (0, 0), sigma).astype(np.float32)
    return np.clip(np.round(rgb.astype(np.float32) * (1 + amount) - blur * amount), 0, 255).astype(np.uint8)
