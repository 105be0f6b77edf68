"""Short synthetic clips: smooth camera motion over a real/fake still pair, the fake region moving with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from localize.common.errors import ConfigError
from mask_gen.synth.manipulations import SynthPair


@dataclass(frozen=True)
class MotionConfig:
    """Clip length, frame size (width, height) and the amplitude of the simulated camera motion."""

    frames: int = 48
    width: int = 320
    height: int = 240
    fps: float = 25.0
    max_shift: float = 0.04
    max_zoom: float = 0.05
    max_rotation_deg: float = 2.0

    def __post_init__(self) -> None:
        if self.frames < 1:
            raise ConfigError(f"frames must be >= 1, got {self.frames}")
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ConfigError(f"frame size must be even and >= 16, got {self.width}x{self.height}")
        if self.fps <= 0:
            raise ConfigError(f"fps must be > 0, got {self.fps}")


def camera_path(
    still_shape: tuple[int, int],
    config: MotionConfig,
    rng: np.random.Generator,
    focus: tuple[float, float] | None = None,
) -> list[np.ndarray]:
    """One 2x3 affine matrix per frame mapping the still into the frame: smooth pan, zoom and roll.

    The still point `focus` (x, y; default its centre) is kept near the frame centre, as far as the still
    still covers the whole frame: a wide frame cut from a square photo must not lose the face.
    """
    height, width = still_shape
    cover = max(config.width / width, config.height / height) * (1 + config.max_zoom + 2 * config.max_shift)
    fx, fy = focus if focus is not None else (width / 2, height / 2)
    fx = float(np.clip(fx, config.width / (2 * cover), width - config.width / (2 * cover)))
    fy = float(np.clip(fy, config.height / (2 * cover), height - config.height / (2 * cover)))
    phases = rng.uniform(0, 2 * np.pi, 4)
    cycles = rng.uniform(0.5, 1.5, 4)
    matrices = []
    for t in np.linspace(0.0, 1.0, config.frames):
        wave = np.sin(2 * np.pi * cycles * t + phases)
        scale = cover * (1 + config.max_zoom * wave[0])
        matrix = cv2.getRotationMatrix2D((fx, fy), config.max_rotation_deg * wave[1], scale)
        matrix[0, 2] += config.width / 2 - fx + config.max_shift * config.width * wave[2]
        matrix[1, 2] += config.height / 2 - fy + config.max_shift * config.height * wave[3]
        matrices.append(matrix)
    return matrices


def render_clip(
    pair: SynthPair,
    config: MotionConfig,
    rng: np.random.Generator,
    focus: tuple[float, float] | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (real frame, fake frame, exact bool mask) for each frame, the camera kept on `focus`
    (the face's centre, so that every fake of one source shares the real clip's camera path)."""
    size = (config.width, config.height)
    for matrix in camera_path(pair.real.shape[:2], config, rng, focus):
        real = cv2.warpAffine(pair.real, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        fake = cv2.warpAffine(pair.fake, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        alpha = cv2.warpAffine(
            pair.alpha, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        yield real, fake, alpha >= 0.5
