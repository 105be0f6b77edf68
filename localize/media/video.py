"""Video files through PyAV: probe, and stream decoded RGB frames (seeking where it pays, deinterlaced).

Frames are decoded a few at a time, ahead of the caller on a background thread, so memory does not grow
with the length of the video.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from localize.common.errors import MediaError
from localize.media.images import DEFAULT_MAX_PIXELS
from localize.media.interlace import DEINTERLACED, deinterlaced
from localize.media.seeking import Step, index_frames, seek_plan, worth_indexing

log = logging.getLogger(__name__)

# a GIF, animated or still, is decoded as a video (PyAV's gif demuxer): every frame, its own timing;
# besides the usual containers: phones' 3GP, camcorders' and broadcast MPEG transport streams (AVCHD
# .mts/.m2ts), Flash, Windows Media, Ogg and MXF. A file with another suffix or none is read by content
# (localize.media.reader.media_kind).
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".gif"}
    | {".3gp", ".3g2", ".ts", ".mts", ".m2ts", ".flv", ".wmv", ".asf", ".ogv", ".mxf"}
)


def is_video_path(path: str | Path) -> bool:
    """True when the suffix names a video container we read."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


@dataclass(frozen=True)
class VideoInfo:
    """What a video holds: frame count, size in pixels and frame rate."""

    frames: int
    width: int
    height: int
    fps: float


def is_readable_video(path: str | Path) -> bool:
    """True when FFmpeg opens the file and finds a video stream in it (content, not suffix)."""
    try:
        with _open(Path(path)):
            return True
    except MediaError:
        return False


def video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream:
    """The container's main video stream, as FFmpeg chooses it (av_find_best_stream): a cover picture
    stored as a one-frame video stream ahead of the video is passed over."""
    return container.streams.best("video")


def _open(path: Path) -> av.container.InputContainer:
    if not path.is_file():
        raise MediaError("file not found", path)
    try:
        container = av.open(str(path))
    except av.FFmpegError as error:
        raise MediaError(f"not a readable video ({error.strerror or error})", path) from None
    if not container.streams.video:
        container.close()
        raise MediaError("no video stream", path)
    return container


def probe_video(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> VideoInfo:
    """Frame count, size as shown (after the display rotation) and rate; counts packets when the
    container does not store the count. Frames larger than `max_pixels` are refused before any is
    decoded (a 16000x16000 GIF of a few hundred bytes costs 1.8 GB a frame)."""
    path = Path(path)
    with _open(path) as container:
        stream = video_stream(container)
        width, height = stream.codec_context.width, stream.codec_context.height
        if width * height > max_pixels:
            raise MediaError(
                f"video frames of {width}x{height} exceed the limit of {max_pixels} pixels", path
            )
        rotation, packets = _scan(container, stream, path, count=stream.frames <= 0)
        frames = stream.frames if stream.frames > 0 else packets
        rate = stream.average_rate or stream.guessed_rate or 0
    if round(rotation / 90) % 2:  # a quarter turn: shown (and decoded) the other way up
        width, height = height, width
    info = VideoInfo(frames, width, height, float(rate))
    if info.frames <= 0 or info.width <= 0:
        raise MediaError("video has no frames", path)
    return info


def upright(frame: np.ndarray, rotation: float) -> np.ndarray:
    """The frame as players show it: turned by its display matrix's `rotation` (degrees counter-clockwise,
    PyAV's VideoFrame.rotation; phones store portrait video as landscape with -90), to the nearest
    quarter turn."""
    turns = round(rotation / 90) % 4
    return np.ascontiguousarray(np.rot90(frame, turns)) if turns else frame


def _scan(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, path: Path, count: bool
) -> tuple[float, int]:
    """One pass over `stream`'s packets, as far as needed: the display rotation of the first frame that
    decodes (0 when none does) and, when `count`, how many packets carry data (the frame count of a
    container that does not store it). Damage that stops the count is a MediaError."""
    rotation, packets = None, 0
    try:
        for packet in container.demux(stream):
            if rotation is None:
                try:
                    decoded = packet.decode()
                except av.FFmpegError:
                    rotation = 0.0  # the first frame does not decode: nothing to turn
                else:
                    rotation = float(decoded[0].rotation) if decoded else None
            packets += bool(packet.size)
            if rotation is not None and not count:
                break
    except av.FFmpegError as error:
        if count:
            raise MediaError(f"corrupt video ({error.strerror or error})", path) from None
    return rotation or 0.0, packets


PREFETCH = 4  # decoded frames a reader may hold ahead of its caller


def iter_frames(path: str | Path, indices: Collection[int] | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (index, RGB frame) for the wanted frame indices (all when None), in order."""
    for index, _, frame in iter_timed_frames(path, indices):
        yield index, frame


def iter_timed_frames(
    path: str | Path, indices: Collection[int] | None = None, seek: bool = True, max_side: int | None = None
) -> Iterator[tuple[int, float | None, np.ndarray]]:
    """Yield (index, time, RGB frame) for the wanted frame indices (all when None), in order. `time` is
    the frame's presentation time in seconds from the first frame, as players show it (right for
    variable frame rate video, where index / rate drifts), or None where the stream gives no timestamps.

    A background thread decodes and converts up to PREFETCH wanted frames ahead (PyAV and swscale
    release the GIL), so decoding overlaps the caller's work on the frames; memory stays bounded. A
    sparse sampling of a video whose container indexes its frames is read by seeking (localize.media.seeking;
    the same frames and times); seek=False decodes straight through. `max_side` shrinks larger frames
    (area averaging, aspect kept) in the conversion itself, several times cheaper than converting at full
    size and resizing after, for callers that need only thumbnails.
    """
    path = Path(path)
    container = _open(path)
    ready: queue.Queue = queue.Queue(PREFETCH)
    stop = threading.Event()
    reader = threading.Thread(
        target=_decode_into,
        args=(container, path, indices, ready, stop, seek, max_side),
        daemon=True,
        name=f"decode {path.name}",
    )
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting for room, then let it finish
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)


_END = object()


def _decode_into(
    container: av.container.InputContainer,
    path: Path,
    indices: Collection[int] | None,
    ready: queue.Queue,
    stop: threading.Event,
    seek: bool = True,
    max_side: int | None = None,
) -> None:
    """The reader thread of iter_timed_frames: wanted (index, time, RGB frame) items into `ready`, then an
    error or _END; returns early once `stop` is set. A sparse sampling of a long video is read by seeking
    (localize.media.seeking). Damage after the first frame ends the video with a warning."""
    wanted = None if indices is None else set(indices)
    last = None if wanted is None else max(wanted, default=-1)
    outcome: object = _END
    reached = -1  # the last frame index decoded
    given: set[int] = set()
    interlaced = False  # said once per video
    try:
        with container:
            stream = _decoding(container)
            index = index_frames(path, stream.index) if seek and wanted and worth_indexing(wanted) else None
            plan = seek_plan(index, wanted) if index is not None else None
            first = index.pts[0] if index is not None else None  # time 0, as players show it
            for number, frame in _frames(container, stream, plan, last, path):
                if stop.is_set():
                    break
                reached = max(reached, number)
                if number == 0 and first is None:
                    first = frame.pts
                if (wanted is None or number in wanted) and number not in given:
                    given.add(number)
                    seconds = (
                        None
                        if frame.pts is None or first is None
                        else float((frame.pts - first) * stream.time_base)
                    )
                    rgb = _converted(frame, max_side)
                    if frame.interlaced_frame:
                        rgb = deinterlaced(rgb)
                        if not interlaced:
                            interlaced = True
                            log.warning(DEINTERLACED, path, "interlaced video")
                    ready.put((number, seconds, upright(rgb, frame.rotation)))
    except av.FFmpegError as error:
        if reached < 0:
            outcome = MediaError(f"decoding failed ({error.strerror or error})", path)
        else:  # a file cut short or damaged further on: the frames before the damage still count
            log.warning("%s: decoding stopped after frame %d (%s)", path, reached, error.strerror or error)
    except BaseException as error:  # handed to the caller's thread, which raises it
        outcome = error
    if not stop.is_set():
        ready.put(outcome)


def _converted(frame: av.VideoFrame, max_side: int | None) -> np.ndarray:
    """The frame as RGB, shrunk by swscale's area filter so that its longer side is at most max_side."""
    scale = 1.0 if max_side is None else min(1.0, max_side / max(frame.width, frame.height))
    if scale >= 1.0:
        return frame.to_ndarray(format="rgb24")
    size = {"width": max(2, round(frame.width * scale)), "height": max(2, round(frame.height * scale))}
    return frame.to_ndarray(format="rgb24", interpolation="AREA", **size)


class _Missed(Exception):
    """A seek did not land where the frame index said a wanted frame would be."""


def _frames(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    plan: list[Step] | None,
    last: int | None,
    path: Path,
) -> Iterator[tuple[int, av.VideoFrame]]:
    """(index, frame) in order: the seek plan's frames when there is one, else every frame up to `last`
    (all when None). When a seek misses, a fresh copy of the file is decoded from its first frame (the
    caller skips frames it has had)."""
    if plan:
        try:
            yield from _sought(container, stream, plan)
            return
        except _Missed:  # read a fresh copy from its first frame (seeking back may miss again)
            log.debug("%s: a seek missed its frame; decoding from the start instead", path)
            with _open(path) as fresh:
                yield from _straight(fresh, _decoding(fresh), last)
            return
    yield from _straight(container, stream, last)


def _decoding(container: av.container.InputContainer) -> av.video.stream.VideoStream:
    """The container's main video stream, set to decode on as many threads as FFmpeg sees fit."""
    stream = video_stream(container)
    stream.thread_type = "AUTO"
    return stream


def _straight(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, last: int | None
) -> Iterator[tuple[int, av.VideoFrame]]:
    """(index, frame) of `stream`'s every frame from the first up to `last` (all when None)."""
    for number, frame in enumerate(container.decode(stream)):
        if last is not None and number > last:
            return
        yield number, frame


def _landed(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, step: Step
) -> Iterator[av.VideoFrame]:
    """Frames decoded from the step's keyframe on: seeks to each of its aims in turn until decoding
    reaches that keyframe, decoded as one, before any later frame; _Missed when no aim does."""
    for aim in step.aims:
        if aim is not None:
            container.seek(aim, stream=stream, backward=True)
        decoded = container.decode(stream)
        for frame in decoded:
            if frame.pts is None:
                raise _Missed
            if frame.pts < step.seek:  # landed earlier: decode on to the keyframe
                continue
            if frame.pts == step.seek and frame.key_frame:
                return itertools.chain((frame,), decoded)
            break  # landed late: aim further back
    raise _Missed


def _sought(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, plan: list[Step]
) -> Iterator[tuple[int, av.VideoFrame]]:
    """The frames of a seek plan, in order; _Missed when a seek cannot reach its keyframe or decoding
    from it does not reach the wanted timestamp exactly."""
    decoded: Iterator[av.VideoFrame] | None = None
    for step in plan:
        if step.seek is not None:
            decoded = _landed(container, stream, step)
        for frame in decoded:
            if frame.pts is None or frame.pts > step.pts:
                raise _Missed
            if frame.pts == step.pts:
                yield step.index, frame
                break
        else:
            raise _Missed
