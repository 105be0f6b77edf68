"""H.264 as albumentations transforms: a still, or a short moving clip, through libx264 and back (PyAV, in
memory).

A clip's intra frame carries what the codec does to a face (DCT blocks, then the deblocking filter that
smooths them), which JPEG alone does not show; the frames after it are predicted from the ones before
(motion-compensated residuals, coarser at the same CRF), which is what most frames of real footage are.
A fresh encode costs about 5 ms per frame at 128x128.
"""

from __future__ import annotations

import io

import albumentations as A
import av
import cv2
import numpy as np

from localize.common.errors import ConfigError


def moving_frames(rgb: np.ndarray, frames: int, step: tuple[float, float]) -> list[np.ndarray]:
    """`frames` copies of `rgb` (an image or a float mask), the k-th shifted by (frames - 1 - k) * step
    pixels: a slow pan that ends on the image itself, so the last frame lines up with any mask of `rgb`."""
    height, width = rgb.shape[:2]
    out = []
    for k in range(frames):
        lag = frames - 1 - k
        if lag == 0:
            out.append(rgb)
            continue
        matrix = np.float32([[1, 0, lag * step[0]], [0, 1, lag * step[1]]])
        out.append(
            cv2.warpAffine(
                rgb, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            )
        )
    return out


def h264_sequence(frames: list[np.ndarray], crf: int) -> np.ndarray:
    """The last of `frames` (RGB uint8, one size) after libx264 at `crf` (0-51) and decoding: the first
    frame is intra-coded, the later ones are predicted from those before. Odd sides are padded, then cut."""
    if not 0 <= crf <= 51:
        raise ConfigError(f"CRF must be in 0..51, got {crf}")
    if not frames:
        raise ConfigError("an H.264 clip needs at least one frame, got 0")
    height, width = frames[0].shape[:2]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="h264") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height = width + width % 2, height + height % 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "ultrafast", "tune": "zerolatency"}
        for frame in frames:
            padded = np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
            for packet in stream.encode(av.VideoFrame.from_ndarray(padded, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    buffer.seek(0)
    with av.open(buffer, "r", format="h264") as container:
        for decoded in container.decode(video=0):
            last = decoded
        frame = last.to_ndarray(format="rgb24")
    return np.ascontiguousarray(frame[:height, :width])


def h264_clip(
    rgb: np.ndarray, crf: int, frames: int = 1, step: tuple[float, float] = (0.0, 0.0)
) -> np.ndarray:
    """The last frame of a `frames`-long pan over `rgb` (RGB uint8; `step` pixels per frame, see
    `moving_frames`) after libx264 at `crf` (0-51) and decoding. One frame is an intra-coded still; later
    ones are predicted."""
    if frames < 1:
        raise ConfigError(f"an H.264 clip needs at least one frame, got {frames}")
    height, width = rgb.shape[:2]  # padded before the pan, as the recipes that trained the defaults did
    padded = np.pad(rgb, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    return h264_sequence(moving_frames(padded, frames, step), crf)[:height, :width]


def h264_still(rgb: np.ndarray, crf: int) -> np.ndarray:
    """One RGB uint8 image after libx264 at `crf` (0-51) and decoding (an intra-coded still)."""
    return h264_clip(rgb, crf)


class H264Compression(A.ImageOnlyTransform):
    """libx264 round trip of the image at a CRF drawn from `crf_range` (higher: worse).

    Args:
        crf_range: (lowest, highest) constant rate factor, within 0..51.
        p: probability of applying the transform.

    Targets:
        image
    """

    def __init__(self, crf_range: tuple[int, int] = (18, 40), p: float = 0.5) -> None:
        super().__init__(p=p)
        low, high = crf_range
        if not 0 <= low <= high <= 51:
            raise ConfigError(f"crf_range must satisfy 0 <= low <= high <= 51, got {crf_range}")
        self.crf_range = (int(low), int(high))

    def get_params(self) -> dict:
        return {"crf": int(self.py_random.randint(*self.crf_range))}

    def apply(self, img: np.ndarray, crf: int = 23, **params) -> np.ndarray:
        return h264_still(img, crf)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("crf_range",)
