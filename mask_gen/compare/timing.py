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


def suspect_thumbnail(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Grey float32 thumbnail (width, height = size) of a suspect frame of any size, flattened (area
    averaged, then lightly blurred)."""
    gray = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    return cv2.GaussianBlur(gray.astype(np.float32), (3, 3), 0).ravel()


@dataclass(frozen=True)
class SourceThumbnails:
    """Turns source frames into thumbnails in the suspect's thumbnail pixels.

    Args:
        transform: suspect pixels -> source pixels.
        suspect_size: (width, height) of the suspect's frames.
        source_size: (width, height) of the source's frames.
    """

    transform: np.ndarray
    suspect_size: tuple[int, int]
    source_size: tuple[int, int]

    @property
    def size(self) -> tuple[int, int]:
        return thumb_size(*self.suspect_size)

    @property
    def decode_side(self) -> int:
        """The longest side source frames need to be decoded at: about twice the thumbnail's detail."""
        per_pixel = self.size[0] / self.suspect_size[0]
        shrink = min(1.0, 2.0 * per_pixel / max(scale_of(self.transform), 1e-6))
        return max(16, round(max(self.source_size) * shrink))

    def _matrix(self, frame_size: tuple[int, int]) -> np.ndarray:
        """Thumbnail pixels -> pixels of a source frame decoded at frame_size."""
        per_pixel = self.size[0] / self.suspect_size[0]
        resized = resize_map(frame_size[0] / self.source_size[0], frame_size[1] / self.source_size[1])
        return (resized @ as_3x3(self.transform) @ np.linalg.inv(resize_map(per_pixel)))[:2]

    def valid(self, frame_size: tuple[int, int]) -> np.ndarray:
        """Flattened bool: the thumbnail pixels inside the source frame."""
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        inside = np.full(frame_size[::-1], 255, np.uint8)
        warped = cv2.warpAffine(inside, self._matrix(frame_size), self.size, flags=flags, borderValue=0)
        return (warped == 255).ravel()

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        """The thumbnail of a source frame (decoded at any size, aspect kept)."""
        matrix = self._matrix((rgb.shape[1], rgb.shape[0]))
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        warped = cv2.warpAffine(gray, matrix, self.size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
        return cv2.GaussianBlur(warped.astype(np.float32), (3, 3), 0).ravel()


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
