"""Reading a few frames of a long video by seeking instead of decoding it from the start.

Inspection samples 32 frames evenly by default; decoded straight through, a one-hour 1080p video costs
every one of its 90,000 frames. Seeking costs the frames from each wanted frame's keyframe to it. A
frame's index is its position in display order, so seeking needs every frame's timestamp: one demux pass
reads them (packets only, nothing decoded). Files whose timestamps cannot be trusted to give the same
index as decoding from the start (a packet without one, duplicates, packets the demuxer drops, a count
that disagrees with the header, no keyframe first) are read straight through, as are dense samplings,
where seeking would not save half of the decoding. A frame is only ever taken from decoding that began at
its keyframe or earlier (localize.media.video checks where each seek landed)."""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import av

log = logging.getLogger(__name__)

# containers with a table of their frames (MP4/MOV sample tables, Matroska cues, AVI's index), where a
# seek lands on the keyframe asked for
INDEXED_FORMATS = frozenset({"mov", "mp4", "matroska", "webm", "avi"})
# MPEG transport streams (broadcast, camcorder and surveillance recordings) and FLV (live-stream and
# screen recordings) have no such table: FFmpeg seeks them by searching the file for a decoding timestamp,
# so a seek there aims at the keyframe's DTS (aimed at its PTS, it lands a keyframe late whenever frames
# are reordered), then at the DTS of this many keyframes before it, in turn, until decoding reaches the
# wanted keyframe (FFmpeg unwraps the 33-bit MPEG clock; recordings joined end to end leave a damaged
# packet at the join, so no index). MPEG program streams (.mpg, .vob) are read straight through: their
# demuxer flags packets as keyframes that are not and can repeat a timestamp, so they never index.
ESTIMATED_FORMATS = frozenset({"mpegts", "flv"})
AIM_BACK = (0, 1, 2)


@dataclass(frozen=True)
class FrameIndex:
    """Every frame's timestamp in display order (stream time base) and the positions of the keyframes."""

    pts: tuple[int, ...]
    keyframes: tuple[int, ...]  # display positions, ascending; the first is 0
    exact: bool = True  # whether a seek to a keyframe's PTS lands on it (MPEG-TS: no, see AIM_BACK)
    key_dts: tuple[int, ...] = ()  # each keyframe's decoding timestamp, where `exact` is False


@dataclass(frozen=True)
class Step:
    """One wanted frame: its display index and timestamp, and the timestamp of the keyframe to decode it
    from (None: decode on from the previous step's frame, which lies in the same run of frames), with the
    timestamps to seek to, in turn, to reach that keyframe (None: no seek, decode from the start)."""

    index: int
    pts: int
    seek: int | None
    aims: tuple[int | None, ...] = ()


def index_frames(path: str | Path, stream_index: int) -> FrameIndex | None:
    """The timestamps of the frames of a video's stream `stream_index` from one demux pass, or None when they cannot be trusted to
    index the frames as decoding from the start does (or the container has no frame table, or the file
    cannot be demuxed to its end)."""
    pts: list[int] = []
    keys: dict[int, int] = {}  # keyframe PTS: its DTS
    try:
        with av.open(str(path)) as container:
            formats = set(container.format.name.split(","))
            if not (INDEXED_FORMATS | ESTIMATED_FORMATS) & formats:
                return None
            stream = container.streams[stream_index]
            declared = stream.frames
            for packet in container.demux(stream):
                if not packet.size:  # the demuxer's end-of-stream packet
                    continue
                if packet.pts is None or packet.is_discard or packet.is_corrupt:
                    return None
                pts.append(packet.pts)
                if packet.is_keyframe:
                    keys[packet.pts] = packet.pts if packet.dts is None else packet.dts
    except (av.FFmpegError, IndexError, KeyError):
        return None
    order = sorted(pts)
    if not order or len(set(order)) != len(order) or order[0] not in keys:
        return None
    if declared > 0 and declared != len(order):
        return None
    keyframes = tuple(i for i, p in enumerate(order) if p in keys)
    if INDEXED_FORMATS & formats:
        return FrameIndex(tuple(order), keyframes)
    return FrameIndex(tuple(order), keyframes, exact=False, key_dts=tuple(keys[order[i]] for i in keyframes))


def worth_indexing(wanted: Collection[int]) -> bool:
    """Whether a sampling is sparse enough that seeking could halve the decoding (so the demux pass is
    worth making): at least two frames skipped per frame wanted."""
    return bool(wanted) and 2 * len(wanted) <= max(wanted) + 1


def seek_plan(frames: FrameIndex, wanted: Collection[int]) -> list[Step] | None:
    """How to read the wanted frames by seeking, or None when it would not decode at most half as many
    frames as decoding straight through to the last wanted one (or a wanted frame is not in the index)."""
    targets = sorted(set(wanted))
    if not targets or targets[0] < 0 or targets[-1] >= len(frames.pts):
        return None
    steps, cost, position = [], 0, -1  # position: the display index last decoded
    for target in targets:
        number = bisect_right(frames.keyframes, target) - 1  # the keyframe's place among the keyframes
        key = frames.keyframes[number]
        if position >= key:  # already decoding the run of frames that holds this one
            steps.append(Step(target, frames.pts[target], None))
            cost += target - position
            position = target
            continue
        aims: tuple[int | None, ...] = (frames.pts[key],)
        if not frames.exact:
            aims = tuple(frames.key_dts[number - b] for b in dict.fromkeys(min(b, number) for b in AIM_BACK))
        if position < 0 and number == 0:  # the first run of frames: decode from the start, no seek
            aims = (None,)
        steps.append(Step(target, frames.pts[target], frames.pts[key], aims))
        cost += target - key + 1
        position = target
    if 2 * cost > targets[-1] + 1:
        return None
    log.debug("seeking: about %d frames decoded instead of %d", cost, targets[-1] + 1)
    return steps
