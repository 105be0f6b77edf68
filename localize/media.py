"""Images and videos behind one interface: an image is a video of one frame."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np

from localize.errors import MediaError
from localize.images import DEFAULT_MAX_PIXELS, checked_header, image_header, is_image_path, read_image
from localize.video import VideoInfo, is_readable_video, is_video_path, iter_timed_frames, probe_video


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
    path: str | Path, indices: Collection[int] | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Iterator[tuple[int, float | None, np.ndarray]]:
    """Yield (index, time in seconds or None, RGB frame) of an image (time 0) or a video (each frame's
    presentation time, localize.video.iter_timed_frames) for the wanted indices (all when None)."""
    path = Path(path)
    if media_kind(path) == "image":
        if indices is None or 0 in indices:
            yield 0, 0.0, read_image(path, max_pixels)
        return
    yield from iter_timed_frames(path, indices)
