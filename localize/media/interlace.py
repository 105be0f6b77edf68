"""Interlaced frames: combing found by content, and a frame rebuilt from its top field.

A woven interlaced frame (1080i camcorders, broadcast and DV captures) holds two fields a moment apart, so
anything that moves between them shows combing, which the model takes for a blend seam (43-88 % of
held-out real faces flagged against 3 %; benchmarks/scene_false_alarms.py). FFmpeg flags such frames when
the stream says so; video re-encoded as progressive without deinterlacing carries no flag and keeps its
combing, which `combing` finds in the pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

COMB_WINDOW = 32  # px: the squares over which line-scale and field-scale detail are compared
COMB_STEP = 8  # px between the squares' corners (every other column is read: combing is vertical)
# combing() above this is combing, chosen on the validation portraits (python benchmarks/combing.py): above
# white noise (1.19) and all but 0.7 % of the portraits as photographed, coded, grainy or enlarged (halftone
# prints among them); 97 % of them woven 1 px apart and re-encoded as H.264 CRF 23, all 2 px apart
COMBED = 1.25
DEINTERLACED = (  # the warning, with the file and the reason
    "%s: %s: analysed as its top field, line-doubled (the combing of two fields would look like a blend seam)"
)
MIN_LINES = 16
_LINES = np.array([[1], [-2], [1]], np.float32)  # second difference across neighbouring lines
_FIELDS = np.array([[1], [0], [-2], [0], [1]], np.float32)  # the same across lines two apart


def combing(rgb: np.ndarray, window: int = COMB_WINDOW, step: int = COMB_STEP) -> float:
    """How strongly the frame alternates line by line, where it does most: the largest, over squares of
    `window` pixels every `step` pixels, of the ratio of the luma's second difference across neighbouring
    lines |Y(y-1) + Y(y+1) - 2 Y(y)| to the same across lines two apart |Y(y-2) + Y(y+2) - 2 Y(y)|, each
    summed over the square's even columns (2 grey levels a pixel added below, to steady flat squares).

    A natural image has less detail at the finer scale (a ratio below 1), noise as much at both (about 1);
    in combing, neighbouring lines come from different fields and lines two apart from the same one, so
    the ratio climbs well above 1.

    Args:
        rgb: an RGB uint8 frame.
        window: the side of the squares, in pixels (smaller frames: their own size).
        step: the distance between neighbouring squares, in pixels.

    Returns:
        The largest ratio over the squares; 0 for a frame under MIN_LINES lines (too few to tell).
    """
    if rgb.shape[0] < MIN_LINES:
        return 0.0
    luma = np.ascontiguousarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[:, ::2])  # combing is vertical: half
    lines = cv2.convertScaleAbs(cv2.filter2D(luma, cv2.CV_16S, _LINES))[2:-2]  # the columns tell as much
    fields = cv2.convertScaleAbs(cv2.filter2D(luma, cv2.CV_16S, _FIELDS))[2:-2]
    shape = (min(window, lines.shape[0]), min(max(1, window // 2), lines.shape[1]))
    steps = (step, max(1, step // 2))
    area = shape[0] * shape[1]
    return float(
        (_window_sums(lines, shape, steps) / (_window_sums(fields, shape, steps) + 2.0 * area)).max()
    )


def _window_sums(values: np.ndarray, shape: tuple[int, int], steps: tuple[int, int]) -> np.ndarray:
    """Sums of `values` over windows of `shape` (rows, columns) every `steps`, from its integral image."""
    total = cv2.integral(values)
    rows = np.arange(0, values.shape[0] - shape[0] + 1, steps[0])
    cols = np.arange(0, values.shape[1] - shape[1] + 1, steps[1])
    top, bottom = total[rows], total[rows + shape[0]]
    return (bottom[:, cols + shape[1]] - bottom[:, cols] - top[:, cols + shape[1]] + top[:, cols]).astype(
        np.float32
    )


def without_combing(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """The frame rebuilt from its top field if its pixels show combing (`combing` above COMBED: interlaced
    video re-encoded as progressive, or a still grabbed from it, which carry no interlaced flag), else as
    it is; and whether it was rebuilt."""
    combed = combing(rgb) > COMBED
    return (deinterlaced(rgb) if combed else rgb), combed


def deinterlaced(rgb: np.ndarray) -> np.ndarray:
    """An interlaced frame rebuilt from its top field: the even lines kept, each odd line the mean of the
    lines above and below it, as players show it."""
    odd = rgb.shape[0] // 2  # how many odd lines
    above = rgb[0 : 2 * odd : 2].astype(np.uint16)
    below = rgb[2 : 2 * odd + 1 : 2].astype(np.uint16)
    if len(below) < odd:  # an even height: the last line has none below it
        below = np.concatenate([below, above[-1:]])
    out = rgb.copy()
    out[1::2] = ((above + below + 1) // 2).astype(np.uint8)
    return out
