"""Face detection and cropping: a pluggable detector, the LBP cascade default, square crops with margin.

The cascade is scikit-image's LBP frontal-face model (OpenCV 5 dropped CascadeClassifier). It runs on a
grayscale copy shrunk to `detect_side` pixels, which keeps detection to tens of milliseconds on 720p.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from localize.errors import ConfigError

Box = tuple[int, int, int, int]


class FaceDetector(Protocol):
    """Anything that returns face boxes (x0, y0, x1, y1) in full-frame pixels, largest first."""

    def detect(self, rgb: np.ndarray) -> list[Box]: ...


@dataclass(frozen=True)
class CascadeConfig:
    """Settings of the LBP cascade detector."""

    detect_side: int = 480
    scale_factor: float = 1.2
    step_ratio: float = 1.0
    min_face_fraction: float = 0.08
    min_neighbour_number: int = 4

    def __post_init__(self) -> None:
        if self.detect_side < 64:
            raise ConfigError(f"detect_side must be >= 64, got {self.detect_side}")
        if self.scale_factor <= 1.0:
            raise ConfigError(f"scale_factor must be > 1, got {self.scale_factor}")
        if not 0 < self.min_face_fraction < 1:
            raise ConfigError(f"min_face_fraction must be in (0, 1), got {self.min_face_fraction}")


class LBPCascadeDetector:
    """Frontal faces with scikit-image's bundled LBP cascade."""

    def __init__(self, config: CascadeConfig = CascadeConfig()) -> None:
        from skimage.data import lbp_frontal_face_cascade_filename
        from skimage.feature import Cascade

        self.config = config
        self._cascade = Cascade(lbp_frontal_face_cascade_filename())

    def detect(self, rgb: np.ndarray) -> list[Box]:
        height, width = rgb.shape[:2]
        scale = min(1.0, self.config.detect_side / max(height, width))
        small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
        side = max(24, int(min(gray.shape) * self.config.min_face_fraction))
        found = self._cascade.detect_multi_scale(
            img=gray,
            scale_factor=self.config.scale_factor,
            step_ratio=self.config.step_ratio,
            min_size=(side, side),
            max_size=(min(gray.shape), min(gray.shape)),
            min_neighbor_number=self.config.min_neighbour_number,
        )
        boxes = [
            (
                int(d["c"] / scale),
                int(d["r"] / scale),
                int((d["c"] + d["width"]) / scale),
                int((d["r"] + d["height"]) / scale),
            )
            for d in found
        ]
        return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)


def expand_box(box: Box, frame_shape: tuple[int, ...], margin: float = 1.3) -> Box:
    """Square box `margin` times the larger side of `box`, same centre, shifted to fit in the frame."""
    height, width = frame_shape[:2]
    x0, y0, x1, y1 = box
    side = min(round(max(x1 - x0, y1 - y0) * margin), width, height)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(np.clip(round(cx - side / 2), 0, width - side))
    top = int(np.clip(round(cy - side / 2), 0, height - side))
    return left, top, left + side, top + side


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    """The part of an image (or mask) inside a box."""
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1]


def full_box(frame_shape: tuple[int, ...]) -> Box:
    """The box covering the whole frame."""
    return 0, 0, frame_shape[1], frame_shape[0]
