"""Evidence images: a probability heatmap blended over the frame, region contours and the face box."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from localize.faces.tracker import Box


def overlay(
    rgb: np.ndarray,
    prob: np.ndarray,
    mask: np.ndarray,
    boxes: Sequence[Box] = (),
    landmarks: Sequence[Sequence[tuple[float, float]] | None] = (),
) -> np.ndarray:
    """RGB uint8: the frame with P(fake) as a heatmap (stronger where higher), red region contours, the
    analysed boxes in white and each face's landmarks (eyes, nose, mouth corners) as green dots."""
    out = rgb.copy()
    rows, cols = np.flatnonzero(prob.any(axis=1)), np.flatnonzero(prob.any(axis=0))
    if rows.size:  # blend only the window where P(fake) > 0 (a face crop in a 4K frame is a small part)
        window = np.s_[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        p = np.clip(prob[window], 0, 1)
        heat = cv2.cvtColor(
            cv2.applyColorMap((p * 255).astype(np.uint8), cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB
        )
        alpha = (0.6 * p)[..., None]
        out[window] = (rgb[window].astype(np.float32) * (1 - alpha) + heat.astype(np.float32) * alpha).astype(
            np.uint8
        )
    thickness = max(1, round(max(rgb.shape[:2]) / 300))
    for x0, y0, x1, y1 in boxes:
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), (255, 255, 255), thickness)
    for marks in landmarks:
        for x, y in marks or ():
            cv2.circle(out, (round(x), round(y)), thickness + 1, (0, 255, 0), -1)
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(out, contours, -1, (255, 0, 0), thickness + 1)
    return out
