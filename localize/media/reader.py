"""Images and videos behind one interface: an image is a video of one frame."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from pathlib import Path

import cv2
import numpy as np

from localize.common.errors import MediaError
from localize.media.images import DEFAULT_MAX_PIXELS, checked_header, image_header, is_image_path, read_image
from localize.media.video import VideoInfo, is_readable_video, is_video_path, iter_timed_frames, probe_video


def media_kind(path: str | Path) -> str:
    """ "image" or "video": by the file's suffix, or by its content when the suffix is neither (files
    recovered from phones or forensic exports often have an odd suffix or none). By content, a GIF is a
    video, as by suffix."""
    path = Path(path)
    if is_image_path(path):
        return "image"
    if is_video_path(path):
        return "video"
    if not path.is_file():
        raise MediaError("file not found", path)
    stat = path.stat()
    kind = _kind_by_content(path.resolve(), stat.st_mtime_ns, stat.st_size)
    if kind is None:
        raise MediaError(
            f"unsupported file type {path.suffix or '(no suffix)'}: neither an image (PNG, JPEG, BMP, "
            "TIFF, WebP, HEIC) nor a video that FFmpeg reads",
            path,
        )
    return kind


@functools.lru_cache(maxsize=256)
def _kind_by_content(path: Path, mtime_ns: int, size: int) -> str | None:
    """media_kind of a file by its content (None: neither), remembered by the file's path, change time and
    size: a file read in steps (probed, then its frames read) is sniffed once."""
    header = image_header(path)
    if header is not None:
        return "video" if header.format == "GIF" else "image"
    return "video" if is_readable_video(path) else None


def media_info(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> VideoInfo:
    """Frame count, size and rate of an image (1 frame; refused above max_pixels) or a video."""
    path = Path(path)
    if media_kind(path) == "image":  # from the header: the pixels are decoded once, when the frame is read
        width, height = checked_header(path, max_pixels).shown_size
        return VideoInfo(1, width, height, 0.0)
    return probe_video(path, max_pixels)


def iter_media_frames(
    path: str | Path, indices: Collection[int] | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (index, RGB frame) of an image or a video for the wanted indices (all when None)."""
    for index, _, frame in iter_timed_media_frames(path, indices, max_pixels):
        yield index, frame


def iter_timed_media_frames(
    path: str | Path,
    indices: Collection[int] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int | None = None,
) -> Iterator[tuple[int, float | None, np.ndarray]]:
    """Yield (index, time in seconds or None, RGB frame) of an image (time 0) or a video (each frame's
    presentation time, localize.media.video.iter_timed_frames) for the wanted indices (all when None);
    `max_side` shrinks larger frames (area averaging) so that their longer side is at most that."""
    path = Path(path)
    if media_kind(path) == "image":
        if indices is None or 0 in indices:
            yield 0, 0.0, shrunk(read_image(path, max_pixels), max_side)
        return
    yield from iter_timed_frames(path, indices, max_side=max_side)


def shrunk(rgb: np.ndarray, max_side: int | None) -> np.ndarray:
    """The image shrunk by area averaging so that its longer side is at most max_side (as it is when
    already small enough, or when max_side is None)."""
    scale = 1.0 if max_side is None else min(1.0, max_side / max(rgb.shape[:2]))
    if scale >= 1.0:
        return rgb
    size = (max(2, round(rgb.shape[1] * scale)), max(2, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
