"""Connected-component filtering of binary masks."""

from __future__ import annotations

import cv2
import numpy as np


def keep_large_components(mask: np.ndarray, min_area: int, connectivity: int = 8) -> np.ndarray:
    """Drop the connected regions of a bool mask smaller than `min_area` pixels."""
    if min_area <= 1 or not mask.any():
        return mask.copy()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=connectivity
    )
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False  # label 0 is the background
    return np.take(keep, labels)


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill the background regions of a bool mask that do not touch the border (4-connected)."""
    if not mask.any():
        return mask.copy()
    height, width = mask.shape
    # one flood fill from outside a 1 px frame reaches every background region touching the border
    canvas = np.zeros((height + 2, width + 2), np.uint8)
    canvas[1:-1, 1:-1] = mask
    cv2.floodFill(canvas, np.zeros((height + 4, width + 4), np.uint8), (0, 0), 2, flags=4)
    return canvas[1:-1, 1:-1] != 2


def touching(mask: np.ndarray, seeds: np.ndarray, connectivity: int = 8) -> np.ndarray:
    """The connected regions of a bool mask that hold at least one pixel of bool `seeds`."""
    if not (mask & seeds).any():
        return np.zeros(mask.shape, bool)
    _, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=connectivity)
    keep = np.zeros(labels.max() + 1, bool)
    keep[np.unique(labels[seeds & mask])] = True
    keep[0] = False  # label 0 is the background
    return np.take(keep, labels)


def regions(mask: np.ndarray, connectivity: int = 8) -> list[tuple[int, tuple[int, int, int, int]]]:
    """(area, box) of each connected region of a bool mask, largest first; box is (x0, y0, x1, y1)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=connectivity)
    found = []
    for x, y, w, h, area in stats[1:]:
        found.append((int(area), (int(x), int(y), int(x + w), int(y + h))))
    return sorted(found, key=lambda item: item[0], reverse=True)
