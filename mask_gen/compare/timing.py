"""When each suspect frame was in the source: t_source = rate * t_suspect + offset.

Once the spatial transform is known, every source frame is resampled into a small thumbnail of the
suspect's own frame (so a crop, rescale, letterbox or mirror no longer matters) and compared with the
suspect's thumbnails by their mean absolute difference, clipped per pixel, over the part both show. Every rate a re-timed upload
plausibly has (1, and the 24/25/30 fps speed-ups and slow-downs) is tried with every offset that some
suspect frame's best match proposes; the line with the lowest mean difference over the frames it covers
wins. Its confidence is the share of suspect frames whose own best match lies within one source frame
of the line.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mask_gen.compare.geometry import as_3x3, resize_map, scale_of

THUMB_WIDTH = 96
CLIP = 30.0  # grey levels: a pixel differing by more is simply 'different'
RATES = (1.0, 24 / 25, 25 / 24, 25 / 30, 30 / 25, 24 / 30, 30 / 24)
MIN_COVER = 0.5  # a line must place at least this share of the suspect frames inside the source
RATE_MARGIN = 0.8  # another rate wins only below this share of rate 1's cost
VOTES = 3  # offsets proposed per suspect frame: those of its best few source frames


@dataclass(frozen=True)
class TimeMapping:
    """t_source = rate * t_suspect + offset_s, and how well the frames agree with it.

    Args:
        rate: source seconds per suspect second.
        offset_s: source time of the suspect's time 0.
        confidence: share of the suspect frames searched whose best source frame is within one frame of
            the line.
        cost: mean clipped absolute grey difference of the thumbnails along the line.
    """

    rate: float
    offset_s: float
    confidence: float
    cost: float

    def source_time(self, time: float) -> float:
        return self.rate * time + self.offset_s


def thumb_size(width: int, height: int) -> tuple[int, int]:
    """(width, height) of the thumbnails of a suspect frame of that size."""
    return THUMB_WIDTH, max(8, round(THUMB_WIDTH * height / width))


def suspect_thumbnail(rgb: np.ndarray) -> np.ndarray:
    """Grey float32 thumbnail of a suspect frame, flattened (area averaged, then lightly blurred)."""
    size = thumb_size(rgb.shape[1], rgb.shape[0])
    gray = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    return cv2.GaussianBlur(gray.astype(np.float32), (3, 3), 0).ravel()


def source_thumbnailer(transform: np.ndarray, suspect_size: tuple[int, int], source_size: tuple[int, int]):
    """A function: source RGB frame -> its thumbnail in the suspect's thumbnail pixels; and the valid
    pixels (flattened bool) of those thumbnails."""
    width, height = thumb_size(*suspect_size)
    per_pixel = width / suspect_size[0]  # thumbnail pixels per suspect pixel
    shrink = min(1.0, 2.0 * per_pixel * 1.0 / max(scale_of(transform), 1e-6))  # source at ~2x thumbnail
    small = (max(1, round(source_size[0] * shrink)), max(1, round(source_size[1] * shrink)))
    matrix = (resize_map(shrink) @ as_3x3(transform) @ np.linalg.inv(resize_map(per_pixel)))[:2]
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    inside = cv2.warpAffine(
        np.full(small[::-1], 255, np.uint8), matrix, (width, height), flags=flags, borderValue=0
    )
    valid = (inside == 255).ravel()

    def thumbnail(rgb: np.ndarray) -> np.ndarray:
        gray = cv2.cvtColor(cv2.resize(rgb, small, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        warped = cv2.warpAffine(gray, matrix, (width, height), flags=flags, borderMode=cv2.BORDER_REPLICATE)
        return cv2.GaussianBlur(warped.astype(np.float32), (3, 3), 0).ravel()

    return thumbnail, valid


def difference_table(suspect: np.ndarray, source: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """(n_suspect, n_source) mean absolute grey difference of the thumbnails over the valid pixels, each
    pixel's difference clipped at CLIP levels. The clip makes it robust to the manipulated region: there
    the suspect differs from every source frame alike, so it adds the same to every candidate instead of
    favouring the source frame whose face happens to look most like the swapped one."""
    a = suspect[:, valid].astype(np.float32)
    b = source[:, valid].astype(np.float32)
    table = np.empty((len(a), len(b)), np.float32)
    for i, row in enumerate(a):
        table[i] = np.minimum(np.abs(b - row), CLIP).mean(axis=1)
    return table


def _line_cost(table, suspect_times, source_times, rate, offset, frame_s) -> tuple[float, np.ndarray]:
    """Mean difference along a line over the suspect frames it places inside the source, and which."""
    wanted = rate * suspect_times + offset
    inside = (wanted >= source_times[0] - frame_s / 2) & (wanted <= source_times[-1] + frame_s / 2)
    nearest = nearest_frames(source_times, wanted)
    rows = np.flatnonzero(inside)
    cost = float(table[rows, nearest[rows]].mean()) if rows.size else float("inf")
    return cost, inside


def nearest_frames(times: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index of the frame in (sorted) `times` nearest to each wanted time."""
    right = (
        np.clip(np.searchsorted(times, wanted), 1, len(times) - 1)
        if len(times) > 1
        else np.zeros(len(wanted), int)
    )
    if len(times) == 1:
        return right
    left = right - 1
    return np.where(np.abs(times[left] - wanted) <= np.abs(times[right] - wanted), left, right)


def _best_offset(
    table, suspect_times, source_times, rate, frame_s, need
) -> tuple[float, float, np.ndarray] | None:
    """(cost, offset, frames covered) of the best line at this rate, None when no line covers enough."""
    order = np.argsort(table, axis=1)[:, :VOTES]
    best = None
    for offset in np.unique(np.round(source_times[order] - rate * suspect_times[:, None], 4)):
        cost, inside = _line_cost(table, suspect_times, source_times, rate, offset, frame_s)
        if inside.sum() >= need and (best is None or cost < best[0] - 1e-9):
            best = (cost, float(offset), inside)
    return best


def map_time(table: np.ndarray, suspect_times: np.ndarray, source_times: np.ndarray) -> TimeMapping:
    """The line t_source = rate * t_suspect + offset that best explains the difference table. A rate
    other than 1 must beat rate 1 by RATE_MARGIN: on still footage every rate fits about as well."""
    frame_s = float(np.median(np.diff(source_times))) if len(source_times) > 1 else 1.0
    need = (
        1
        if len(suspect_times) == 1
        else max(2, int(np.ceil(MIN_COVER * min(len(suspect_times), len(source_times)))))
    )
    fits = {rate: _best_offset(table, suspect_times, source_times, rate, frame_s, need) for rate in RATES}
    fits = {rate: fit for rate, fit in fits.items() if fit is not None}
    if not fits:
        return TimeMapping(1.0, 0.0, 0.0, float("inf"))
    rate = min(fits, key=lambda r: fits[r][0] * (1.0 if r == 1.0 else 1.0 / RATE_MARGIN))
    cost, offset, covered = fits[rate]
    predicted = nearest_frames(source_times, rate * suspect_times + offset)
    agree = np.abs(np.argmin(table, axis=1) - predicted) <= 1
    return TimeMapping(rate, offset, float(agree[covered].mean()), cost)
