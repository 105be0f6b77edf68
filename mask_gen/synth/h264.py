"""H.264 as an albumentations transform: one still through libx264 and back (PyAV, in memory).

A clip's intra frames carry what the codec does to a face (DCT blocks, then the deblocking filter that
smooths them), which JPEG alone does not show; a fresh encode costs about 5 ms at 128x128.
"""

from __future__ import annotations

import io

import albumentations as A
import av
import numpy as np

from localize.errors import ConfigError


def h264_still(rgb: np.ndarray, crf: int) -> np.ndarray:
    """One RGB uint8 image after libx264 at `crf` (0-51) and decoding; odd sides are padded, then cut."""
    if not 0 <= crf <= 51:
        raise ConfigError(f"CRF must be in 0..51, got {crf}")
    height, width = rgb.shape[:2]
    padded = np.pad(rgb, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="h264") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height = padded.shape[1], padded.shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "ultrafast", "tune": "zerolatency"}
        for packet in stream.encode(av.VideoFrame.from_ndarray(padded, format="rgb24")):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    buffer.seek(0)
    with av.open(buffer, "r", format="h264") as container:
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")
    return np.ascontiguousarray(frame[:height, :width])


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
