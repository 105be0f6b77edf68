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


def hysteresis(values: np.ndarray, seeds: np.ndarray, low: float, connectivity: int = 8) -> np.ndarray:
    """Pixels above `low` connected to a seed pixel, and the seeds (Canny's rule, on regions): the mask
    procedure's growth (mask_gen.core) and a fake frame's mask (frame_maps.judge_map) alike."""
    weak = (values > low) | seeds
    _, labels = cv2.connectedComponents(weak.astype(np.uint8), connectivity=connectivity)
    seeded = np.zeros(int(labels.max()) + 1, bool)
    seeded[labels[seeds]] = True
    seeded[0] = False  # the background below the low cut
    return seeded[labels]


def regions(mask: np.ndarray, connectivity: int = 8) -> list[tuple[int, tuple[int, int, int, int]]]:
    """(area, box) of each connected region of a bool mask, largest first; box is (x0, y0, x1, y1)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=connectivity)
    found = []
    for x, y, w, h, area in stats[1:]:
        found.append((int(area), (int(x), int(y), int(x + w), int(y + h))))
    return sorted(found, key=lambda item: item[0], reverse=True)
