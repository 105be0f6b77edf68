"""Training augmentations (albumentations, image and mask together): seed 002's blur, rotations and
scaling, plus flips and JPEG re-compression, each with its own probability. Blur, rotation and JPEG are
the registered perturbations (mask_gen.synth.codecs.perturbations: `blur:9`, `rotate:45`, `jpeg:30-95`), the
same transforms eval's robustness suite applies."""

from __future__ import annotations

from dataclasses import dataclass

import albumentations as A
import cv2

from mask_gen.synth.codecs.perturbations import parse_spec


@dataclass(frozen=True)
class AugmentConfig:
    """Probability of each augmentation (0 turns it off)."""

    blur: float = 0.1  # Gaussian blur, kernel 3, 9 or 15
    rotate: float = 0.1  # rotation by 45, 90 or 180 degrees
    scale: float = 0.2  # scaling by up to +-50 %
    hflip: float = 0.5
    jpeg: float = 0.2  # JPEG re-compression, quality 30-95


def build_augment(config: AugmentConfig) -> A.Compose:
    """The albumentations pipeline for `config` (masks follow every geometric change)."""
    border = dict(border_mode=cv2.BORDER_REFLECT_101)
    return A.Compose(
        [
            A.OneOf([parse_spec(f"blur:{k}").transform() for k in (3, 9, 15)], p=config.blur),
            A.OneOf([parse_spec(f"rotate:{a}").transform() for a in (45, -45, 90, 180)], p=config.rotate),
            A.Affine(scale=(0.5, 1.5), p=config.scale, **border),
            A.HorizontalFlip(p=config.hflip),
            parse_spec("jpeg:30-95").transform(p=config.jpeg),
        ]
    )
