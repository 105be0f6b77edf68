"""scikit-image's LBP frontal-face cascade (OpenCV 5 dropped CascadeClassifier), run on a grayscale copy
shrunk to `detect_side` pixels, which keeps a search to tens of milliseconds on 720p. Its square boxes
are mapped to YuNet's convention by localize.faces.detectors.LBPDetector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.faces.boxes import Box, crop, expand_box

if TYPE_CHECKING:
    from localize.faces.track_config import TrackConfig


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
        """Faces from `min_face_fraction` of the frame up, largest first. Faces twice the smallest size
        are looked for first on a copy half as large, a fifth of the cost (the smallest windows dominate
        it); the full-size scan runs only when that finds none."""
        height, width = rgb.shape[:2]
        scale = min(1.0, self.config.detect_side / max(height, width))
        for factor in (0.5, 1.0):
            if min(round(height * scale * factor), round(width * scale * factor)) < 24:
                continue  # thinner than the smallest face window (and a 1x500 image must not crash)
            gray = _gray(rgb, scale * factor)
            low = max(24, int(min(gray.shape) * self.config.min_face_fraction))
            if low > min(gray.shape):
                continue
            faces = self._search(gray, scale * factor, (0, 0), low, min(gray.shape), self.config.scale_factor)
            if faces:
                return faces
        return []

    def detect_near(self, rgb: np.ndarray, face: Box, track: TrackConfig) -> list[Box]:
        """Faces of about the size of `face` inside a window around it: a few ms instead of a full scan."""
        x0, y0, x1, y1 = face
        size = max(x1 - x0, y1 - y0)
        window = expand_box(face, rgb.shape, track.window)
        scale = min(1.0, track.face_px / size)
        if min(window[2] - window[0], window[3] - window[1]) * scale < 24:
            return []
        gray = _gray(crop(rgb, window), scale)
        low = max(24, int(size * scale * track.min_size_ratio))
        high = min(min(gray.shape), int(size * scale * track.max_size_ratio))
        if high < low:
            return []
        return self._search(gray, scale, window[:2], low, high, track.scale_factor)

    def _search(
        self, gray: np.ndarray, scale: float, offset: tuple[int, int], low: int, high: int, factor: float
    ) -> list[Box]:
        found = self._cascade.detect_multi_scale(
            img=gray,
            scale_factor=factor,
            step_ratio=self.config.step_ratio,
            min_size=(low, low),
            max_size=(high, high),
            min_neighbor_number=self.config.min_neighbour_number,
        )
        ox, oy = offset
        boxes = [
            (
                ox + int(d["c"] / scale),
                oy + int(d["r"] / scale),
                ox + int((d["c"] + d["width"]) / scale),
                oy + int((d["r"] + d["height"]) / scale),
            )
            for d in found
        ]
        return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)


def _gray(rgb: np.ndarray, scale: float) -> np.ndarray:
    """Float grayscale in [0, 1], shrunk by `scale` (the cascade's input)."""
    height, width = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)  # before shrinking: a third of the pixels to average
    small = cv2.resize(gray, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    return small.astype(np.float32) / 255.0
