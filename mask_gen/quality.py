"""Agreement between a generated mask and a known one."""

from __future__ import annotations

import numpy as np


def mask_dice(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Dice = 2|A and B| / (|A| + |B|) of two bool masks; 1.0 when both are empty."""
    total = int(predicted.sum()) + int(truth.sum())
    if total == 0:
        return 1.0
    return 2.0 * int(np.logical_and(predicted, truth).sum()) / total
