"""Encoding videos: RGB frames to H.264 (libx264, yuv420p) through PyAV, written atomically."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np

from localize.common.atomic import atomic_path
from localize.common.errors import MediaError


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float = 25.0,
    crf: int = 23,
    preset: str = "medium",
) -> int:
    """Encode RGB frames as H.264 (libx264, yuv420p) at the given CRF, atomically; return the count."""
    path = Path(path)
    count = 0
    with atomic_path(path) as tmp, av.open(str(tmp), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=round(fps))
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": preset}
        for rgb in frames:
            if count == 0:
                stream.height, stream.width = rgb.shape[:2]
                if stream.width % 2 or stream.height % 2:
                    raise MediaError(
                        f"H.264 needs even frame sides, got {stream.width}x{stream.height}", path
                    )
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
            count += 1
        container.mux(stream.encode())
    return count
