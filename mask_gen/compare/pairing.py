"""A suspect paired with its source: the spatial fit, the time mapping, and each analysed suspect frame
with its counterpart warped onto it and what changed.

Memory stays flat in clip length: the source is decoded once for its thumbnails (a few kB a frame),
then the analysed suspect frames and the few source frames around each one's predicted counterpart are
decoded in step, a handful held at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from localize.common.errors import ConfigError, ForgelocError
from localize.media.reader import iter_timed_media_frames, media_info
from localize.media.sampling import sample_indices
from mask_gen.compare.changes import FrameChange, at_scale, frame_change, grey, likeness
from mask_gen.compare.geometry import (
    Alignment,
    corner_shift,
    estimate_alignment,
    refine,
    resize_map,
    scale_of,
    warp_to_suspect,
)
from mask_gen.compare.timing import (
    SourceThumbnails,
    TimeMapping,
    difference_table,
    map_time,
    nearest_frames,
    suspect_thumbnail,
)
from mask_gen.core import MaskConfig

log = logging.getLogger(__name__)

OFF_LINE_COST = 0.03  # a candidate this share less alike per frame it lies off the time line
MAX_REFIT_SHIFT = 2.0  # px: a fit on matched frames that moves the frame more re-runs the time search


class NotSameFootage(ForgelocError):
    """The suspect and the source do not show the same footage."""


@dataclass(frozen=True)
class CompareConfig:
    """How `forgeloc compare` samples and decides.

    Args:
        frames: suspect frames analysed, evenly spaced (all when the clip has fewer).
        every: analyse every k-th suspect frame instead (0: off).
        search_frames: suspect frames fingerprinted for the time search.
        key_frames: suspect frames tried for the spatial fit (twice as many source frames).
        min_inliers: feature matches a spatial fit needs to count as the same footage.
        max_background: the largest median RGB distance between a suspect frame and its counterpart
            over what both show (mask-gen's limit for aligned pairs): above it, not the same footage.
        reach: source frames either side of the time line tried as each suspect frame's counterpart
            (the likeliest at half resolution is compared).
        border: pixels along the edge of the source's area left out of the masks (resampling).
        mask: the mask procedure (mask-gen's defaults).
    """

    frames: int = 32
    every: int = 0
    search_frames: int = 240
    key_frames: int = 3
    min_inliers: int = 20
    max_background: float = 20.0
    reach: int = 2
    border: int = 4
    mask: MaskConfig = field(default_factory=MaskConfig)

    def __post_init__(self) -> None:
        if self.frames < 0 or self.every < 0 or self.search_frames < 2 or self.key_frames < 1:
            raise ConfigError(
                "frames and every must be >= 0, search_frames >= 2 and key_frames >= 1, got "
                f"{self.frames}, {self.every}, {self.search_frames}, {self.key_frames}"
            )


@dataclass(frozen=True)
class Clip:
    """A media file's frame count, size, rate and path."""

    path: Path
    frames: int
    width: int
    height: int
    fps: float

    @classmethod
    def open(cls, path: str | Path) -> Clip:
        info = media_info(path)
        if info.frames < 1:
            raise ConfigError("holds no frame", path)
        return cls(Path(path), info.frames, info.width, info.height, info.fps or 25.0)

    def frames_at(self, indices, max_side: int | None = None) -> Iterator[tuple[int, float, np.ndarray]]:
        """(index, time in s, RGB frame) for the wanted indices, in order (times from index / fps where
        the stream has none); `max_side` shrinks the frames as they are decoded (for thumbnails)."""
        wanted = sorted(set(indices))
        for index, when, frame in iter_timed_media_frames(self.path, wanted, max_side=max_side):
            yield index, (index / self.fps if when is None else float(when)), frame


def align_space(suspect: Clip, source: Clip, config: CompareConfig) -> Alignment | None:
    """The spatial fit with the most inliers over a few key frames of each clip (the times are not known
    yet: a static background matches across frames anyway). Where the camera moves, key frames far apart
    in time may share too little; before the clips are called unrelated, three times as many are tried."""
    best = _best_fit(suspect, source, config.key_frames, config)
    if best is None or best.inliers < config.min_inliers:
        denser = _best_fit(suspect, source, 3 * config.key_frames, config)
        if denser is not None and (best is None or denser.inliers > best.inliers):
            best = denser
    return best


def _best_fit(suspect: Clip, source: Clip, key_frames: int, config: CompareConfig) -> Alignment | None:
    """The fit with the most inliers between `key_frames` suspect frames and twice as many source frames,
    evenly spaced; it stops early once a fit has ten times the inliers needed."""
    source_keys = [frame for _, _, frame in source.frames_at(sample_indices(source.frames, 2 * key_frames))]
    best = None
    for _, _, frame in suspect.frames_at(sample_indices(suspect.frames, key_frames)):
        for key in source_keys:
            fit = estimate_alignment(frame, key)
            if fit is not None and (best is None or fit.inliers > best.inliers):
                best = fit
            if best is not None and best.inliers >= 10 * config.min_inliers:
                return best
    return best


def align_time(
    suspect: Clip, source: Clip, alignment: Alignment, config: CompareConfig
) -> tuple[TimeMapping, np.ndarray]:
    """The time mapping, and every source frame's time (from one decode of the source, at thumbnail
    size)."""
    thumbnails = SourceThumbnails(
        alignment.transform, (suspect.width, suspect.height), (source.width, source.height)
    )
    suspect_times, thumbs = [], []
    searched = sample_indices(suspect.frames, config.search_frames)
    for _, when, frame in suspect.frames_at(searched, max_side=2 * max(thumbnails.size)):
        suspect_times.append(when)
        thumbs.append(suspect_thumbnail(frame, thumbnails.size))
    source_times, source_thumbs, valid = [], [], None
    progress = tqdm(total=source.frames, desc="source fingerprints", unit="frame", leave=False)
    with progress:
        for _, when, frame in source.frames_at(range(source.frames), max_side=thumbnails.decode_side):
            if valid is None:
                valid = thumbnails.valid((frame.shape[1], frame.shape[0]))
            source_times.append(when)
            source_thumbs.append(thumbnails(frame))
            progress.update()
    if valid is None or not valid.any():
        return TimeMapping(1.0, 0.0, 0.0, float("inf")), np.asarray(source_times)
    table = difference_table(np.stack(thumbs), np.stack(source_thumbs), valid)
    return map_time(table, np.asarray(suspect_times), np.asarray(source_times)), np.asarray(source_times)


def counterparts(mapping: TimeMapping, times: np.ndarray, when: float, reach: int = 0) -> list[int]:
    """Source frames that may show suspect time `when`: the nearest to the line and `reach` frames
    either side; none when the line leaves the source."""
    frame_s = float(np.median(np.diff(times))) if len(times) > 1 else 1.0
    wanted = mapping.source_time(when)
    if not times[0] - frame_s / 2 <= wanted <= times[-1] + frame_s / 2:
        return []
    nearest = int(nearest_frames(times, np.array([wanted]))[0])
    return [j for j in range(nearest - reach, nearest + reach + 1) if 0 <= j < len(times)]


def analysed_pairs(
    suspect: Clip, source: Clip, mapping: TimeMapping, times: np.ndarray, config: CompareConfig
):
    """(suspect index, time, frame, {source index: frame}) for each analysed suspect frame, the source
    frames decoded in step with the suspect's (both in order: the mapping's rate is positive)."""
    indices = sample_indices(suspect.frames, config.frames, config.every)
    # planned from index / fps; the decoded times decide each frame's counterparts
    wanted = {j for i in indices for j in counterparts(mapping, times, i / suspect.fps, config.reach)}
    stream, held = source.frames_at(wanted), {}
    for index, when, frame in suspect.frames_at(indices):
        needed = counterparts(mapping, times, when, config.reach)
        while needed and (not held or max(held) < max(needed)):
            item = next(stream, None)
            if item is None:
                break
            held[item[0]] = item[2]
        for j in [j for j in held if needed and j < min(needed)]:
            del held[j]
        yield index, when, frame, {j: held[j] for j in needed if j in held}


@dataclass(frozen=True)
class FrameEntry:
    """One analysed suspect frame: where its counterpart was and what changed."""

    index: int
    time: float
    source_index: int | None
    source_time: float | None
    change: FrameChange | None


def compare_frames(
    suspect: Clip,
    source: Clip,
    transform: np.ndarray,
    mapping: TimeMapping,
    times: np.ndarray,
    config: CompareConfig,
) -> Iterator[tuple[FrameEntry, np.ndarray, np.ndarray | None]]:
    """(entry, suspect frame, warped source frame or None) for each analysed suspect frame: of the
    candidate counterparts, the one closest over the background is compared."""
    size = (suspect.width, suspect.height)
    mask_config = at_scale(config.mask, scale_of(transform))
    half = (max(1, suspect.width // 2), max(1, suspect.height // 2))
    to_half = transform @ np.linalg.inv(resize_map(half[0] / suspect.width, half[1] / suspect.height))
    for index, when, frame, candidates in analysed_pairs(suspect, source, mapping, times, config):
        small = grey(cv2.resize(frame, half, interpolation=cv2.INTER_AREA))
        scores = {
            j: likeness(small, *warp_to_suspect(image, to_half, half, config.border // 2))
            for j, image in candidates.items()
        }
        if not scores:
            yield FrameEntry(index, when, None, None, None), frame, None
            continue
        # the line's own frame unless another looks clearly more alike: where the only motion is inside
        # the edited region, the background cannot tell neighbours apart
        on_line = counterparts(mapping, times, when)
        j = min(
            scores,
            key=lambda k: scores[k] * (1 + OFF_LINE_COST * abs(k - on_line[0])) if on_line else scores[k],
        )
        warped, valid = warp_to_suspect(candidates[j], transform, size, config.border)
        change = frame_change(frame, warped, valid, mask_config)
        yield FrameEntry(index, when, j, float(times[j]), change), frame, warped


def matched_frames(suspect: Clip, source: Clip, mapping: TimeMapping, times: np.ndarray):
    """The middle suspect frame and its counterpart on the time line, or None when it has none."""
    ((_, when, frame),) = list(suspect.frames_at([suspect.frames // 2]))
    found = counterparts(mapping, times, when)
    if not found:
        return None
    ((_, _, source_frame),) = list(source.frames_at([found[0]]))
    return frame, source_frame


def align(
    suspect: Clip, source: Clip, config: CompareConfig
) -> tuple[Alignment | None, TimeMapping | None, np.ndarray, np.ndarray]:
    """(spatial fit, time mapping, source frame times, refined transform); the fit None (or with fewer
    than min_inliers) when the clips share too little.

    The first fit is made between key frames whose times are not known yet; where the camera moves, it
    holds the motion between them. So the fit is made again on a frame pair the time line matched, and
    where it moved the frame by more than MAX_REFIT_SHIFT px, the time line is found again with it.
    """
    alignment = align_space(suspect, source, config)
    if alignment is None or alignment.inliers < config.min_inliers:
        return alignment, None, np.zeros(0), np.zeros((2, 3))
    mapping, times = align_time(suspect, source, alignment, config)
    pair = matched_frames(suspect, source, mapping, times)
    if pair is None:
        return alignment, mapping, times, alignment.transform
    refit = estimate_alignment(*pair)
    shift = (
        np.inf
        if refit is None
        else corner_shift(refit.transform, alignment.transform, suspect.width, suspect.height)
    )
    if refit is not None and refit.inliers >= config.min_inliers and shift > MAX_REFIT_SHIFT:
        log.info("the fit on matched frames moved the frame by %.1f px: time line searched again", shift)
        alignment = refit
        mapping, times = align_time(suspect, source, alignment, config)
        pair = matched_frames(suspect, source, mapping, times) or pair
        refit = estimate_alignment(*pair)
    start = (
        refit.transform if refit is not None and refit.inliers >= config.min_inliers else alignment.transform
    )
    return alignment, mapping, times, refine(*pair, start)
