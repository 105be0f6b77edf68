"""Perturbations of test crops (the seeds' compression and blur findings, plus noise, resizing and
rotation) and the suite that re-evaluates a model under each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from eval.evaluate import evaluate
from localize.bundle import Bundle
from localize.errors import ConfigError
from mask_gen.synth.compression import jpeg_roundtrip
from mask_gen.synth.h264 import h264_still


@dataclass(frozen=True)
class Perturbation:
    """One degradation of a crop: `kind` in KINDS at `level` (its unit depends on the kind)."""

    kind: str
    level: float

    @property
    def label(self) -> str:
        return f"{self.kind} {self.level:g}"

    def __call__(self, images: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Perturbed uint8 images (N, H, W, 3) and their masks (moved only by rotation)."""
        pairs = [KINDS[self.kind](image, mask, self.level) for image, mask in zip(images, masks, strict=True)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def _jpeg(image, mask, quality):
    return jpeg_roundtrip(image, int(quality)), mask


def _h264(image, mask, crf):
    """One crop as a one-frame libx264 clip (an intra frame at that CRF), encoded in memory."""
    return h264_still(image, int(crf)), mask


def _blur(image, mask, kernel):
    return cv2.GaussianBlur(image, (int(kernel), int(kernel)), 0), mask


def _noise(image, mask, sigma):
    """Additive Gaussian noise of `sigma` grey levels, seeded by the image so runs repeat."""
    rng = np.random.default_rng(int(image[::7, ::7].sum()))
    noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8), mask


def _resize(image, mask, scale):
    """Down- or up-sampled by `scale` and back to the crop size (the model input is fixed)."""
    height, width = mask.shape
    small = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR), mask


def _rotate(image, mask, degrees):
    """Rotated about the centre, borders reflected; the mask turns with it."""
    height, width = mask.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    rotated = cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REFLECT_101)
    moved = cv2.warpAffine(mask.astype(np.uint8), matrix, (width, height), flags=cv2.INTER_NEAREST)
    return rotated, moved.astype(bool)


KINDS = {
    "jpeg": _jpeg,
    "h264": _h264,
    "blur": _blur,
    "noise": _noise,
    "resize": _resize,
    "rotate": _rotate,
}

# issue 5's suite: JPEG quality, H.264 CRF, blur kernel, noise sigma, scale, degrees
DEFAULT_SUITE = (
    *(Perturbation("jpeg", q) for q in (90, 70, 50, 30)),
    *(Perturbation("h264", c) for c in (23, 32, 40)),
    *(Perturbation("blur", k) for k in (3, 9, 15)),
    *(Perturbation("noise", s) for s in (5, 10, 20)),
    *(Perturbation("resize", s) for s in (0.5, 1.5)),
    *(Perturbation("rotate", d) for d in (5, 15)),
)


def parse_suite(text: str) -> tuple[Perturbation, ...]:
    """'default' or a comma list of kind:level (e.g. 'jpeg:50,blur:9'), checked before any work starts."""
    if text == "default":
        return DEFAULT_SUITE
    suite = []
    for item in text.split(","):
        kind, _, level = item.strip().partition(":")
        if kind not in KINDS:
            raise ConfigError(f"unknown perturbation {kind!r} in {text!r}; use {', '.join(KINDS)}")
        try:
            suite.append(Perturbation(kind, float(level)))
        except ValueError:
            raise ConfigError(f"perturbation {item!r} needs a number after the colon, e.g. jpeg:50") from None
    for p in suite:
        valid = {
            "jpeg": 1 <= p.level <= 100,
            "h264": 0 <= p.level <= 51,
            "blur": p.level >= 1 and p.level % 2 == 1,
            "noise": p.level >= 0,
            "resize": p.level > 0,
            "rotate": True,
        }[p.kind]
        if not valid:
            raise ConfigError(f"perturbation {p.kind}:{p.level:g} is out of range")
    return tuple(suite)


def _row(result: dict, perturbation: Perturbation | None) -> dict:
    return {
        "perturbation": "none" if perturbation is None else perturbation.label,
        "kind": "none" if perturbation is None else perturbation.kind,
        "level": None if perturbation is None else perturbation.level,
        "frame_f1": result["frame"]["f1"],
        "frame_auc": result["frame"]["roc_auc"],
        "dice": result["pixel"]["dice_dataset"] if "pixel" in result else None,
    }


def robustness(
    bundle: Bundle,
    data_dir: str | Path,
    split: str,
    suite: tuple[Perturbation, ...],
    clean: dict | None = None,
) -> list[dict]:
    """Frame F1/AUC and pixel Dice (dataset-wide) clean and under each perturbation, one row each;
    `clean`: the unperturbed `evaluate` result when the caller already has it."""
    clean = clean or evaluate(bundle, data_dir, split, desc="robustness: clean")
    rows = [_row(clean, None)]
    for perturbation in suite:
        result = evaluate(bundle, data_dir, split, perturbation, desc=f"robustness: {perturbation.label}")
        rows.append(_row(result, perturbation))
    return rows
