"""Compression as footage does it, as an albumentations transform: at the face's own size, and for
H.264 mostly on predicted frames.

A face in a video is encoded at the size it has in the frame, then the detector's crop is resized to the
model's input: an 80 px face carries 8 px blocks that the crop blows up to 16 px, a 300 px face blocks
that shrink. Compressing the already-resized crop (the still-photo recipe) never shows either. And most
frames of a clip are predicted from the frame before, not intra-coded. `VideoCompression` draws a face
scale, JPEG or H.264 and, for H.264, a short pan whose last frame is kept (mask_gen.synth.codecs.h264.h264_clip).
"""

from __future__ import annotations

import albumentations as A
import cv2
import numpy as np

from localize.common.errors import ConfigError
from mask_gen.synth.codecs.compression import jpeg_roundtrip
from mask_gen.synth.codecs.h264 import h264_clip


def compress_at_scale(
    rgb: np.ndarray,
    scale: float,
    codec: str,
    level: int,
    frames: int = 1,
    step: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """`rgb` shrunk by `scale` (INTER_AREA), compressed there (`codec` "jpeg" at quality `level`, or
    "h264" at CRF `level` over a `frames`-long pan of `step` px per frame) and resized back (INTER_LINEAR)."""
    if not 0 < scale <= 1:
        raise ConfigError(f"compression scale must be in (0, 1], got {scale}")
    height, width = rgb.shape[:2]
    small = rgb
    if scale < 1:
        size = (max(16, round(width * scale)), max(16, round(height * scale)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    if codec == "jpeg":
        small = jpeg_roundtrip(small, level)
    elif codec == "h264":
        small = h264_clip(small, level, frames, step)
    else:
        raise ConfigError(f"codec must be jpeg or h264, got {codec!r}")
    if small.shape[:2] != (height, width):
        small = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    return small


class VideoCompression(A.ImageOnlyTransform):
    """JPEG or H.264 (half each) at a drawn face scale; H.264 on a predicted frame of a short pan.

    Args:
        scale_range: face scale, relative to the crop, at which the codec runs (drawn uniformly).
        jpeg_range: (lowest, highest) JPEG quality.
        crf_range: (lowest, highest) H.264 CRF.
        clip: probability that an H.264 encode is a 2-6 frame pan (last frame kept) instead of a still.
        max_step: largest pan speed, in pixels per frame of the scaled face.
        p: probability of applying the transform.

    Targets:
        image
    """

    def __init__(
        self,
        scale_range: tuple[float, float] = (0.4, 1.0),
        jpeg_range: tuple[int, int] = (30, 95),
        crf_range: tuple[int, int] = (18, 40),
        clip: float = 0.7,
        max_step: float = 2.0,
        p: float = 0.9,
    ) -> None:
        super().__init__(p=p)
        if not 0 < scale_range[0] <= scale_range[1] <= 1:
            raise ConfigError(f"scale_range must satisfy 0 < low <= high <= 1, got {scale_range}")
        if not 1 <= jpeg_range[0] <= jpeg_range[1] <= 100:
            raise ConfigError(f"jpeg_range must satisfy 1 <= low <= high <= 100, got {jpeg_range}")
        if not 0 <= crf_range[0] <= crf_range[1] <= 51:
            raise ConfigError(f"crf_range must satisfy 0 <= low <= high <= 51, got {crf_range}")
        if not 0 <= clip <= 1 or max_step < 0:
            raise ConfigError(f"clip must be in [0, 1] and max_step >= 0, got {clip}, {max_step}")
        self.scale_range = (float(scale_range[0]), float(scale_range[1]))
        self.jpeg_range = (int(jpeg_range[0]), int(jpeg_range[1]))
        self.crf_range = (int(crf_range[0]), int(crf_range[1]))
        self.clip, self.max_step = float(clip), float(max_step)

    def get_params(self) -> dict:
        rand = self.py_random
        codec = "jpeg" if rand.random() < 0.5 else "h264"
        level = rand.randint(*(self.jpeg_range if codec == "jpeg" else self.crf_range))
        frames = rand.randint(2, 6) if codec == "h264" and rand.random() < self.clip else 1
        step = (rand.uniform(-self.max_step, self.max_step), rand.uniform(-self.max_step, self.max_step))
        return {
            "scale": rand.uniform(*self.scale_range),
            "codec": codec,
            "level": level,
            "frames": frames,
            "step": step,
        }

    def apply(
        self,
        img: np.ndarray,
        scale: float = 1.0,
        codec: str = "jpeg",
        level: int = 90,
        frames: int = 1,
        step: tuple[float, float] = (0.0, 0.0),
        **params,
    ) -> np.ndarray:
        return compress_at_scale(img, scale, codec, level, frames, step)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("scale_range", "jpeg_range", "crf_range", "clip", "max_step")
