"""Evidence images: the heatmap blend, boxes, landmarks and region contours."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from localize.report.overlay import overlay


def _blend(rgb: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """The heatmap rule written out over the whole frame: JET colours of P(fake), 0.6 x P(fake) opaque."""
    p = np.clip(prob, 0, 1)
    heat = cv2.applyColorMap((p * 255).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1].astype(np.float32)
    alpha = (0.6 * p)[..., None]
    return (rgb.astype(np.float32) * (1 - alpha) + heat * alpha).astype(np.uint8)


@pytest.mark.parametrize("layout", ["one face", "two faces", "whole frame"])
def test_heatmap_is_the_blend_rule_everywhere_and_leaves_zero_probability_pixels_untouched(layout):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)
    prob = np.zeros((90, 160), np.float32)
    if layout == "whole frame":
        prob[:] = rng.random((90, 160))
    else:
        prob[10:50, 20:70] = rng.random((40, 50))
        if layout == "two faces":
            prob[60:85, 120:150] = 1.3  # above 1 is clipped
    out = overlay(rgb, prob, np.zeros((90, 160), bool))
    assert np.array_equal(out, _blend(rgb, prob))
    assert np.array_equal(out[prob == 0], rgb[prob == 0])
    assert not np.array_equal(out[prob > 0.2], rgb[prob > 0.2])


def test_boxes_landmarks_and_region_contours_are_drawn_on_a_copy():
    rgb = np.full((120, 120, 3), 60, np.uint8)
    mask = np.zeros((120, 120), bool)
    mask[40:80, 40:80] = True
    out = overlay(rgb, np.zeros((120, 120), np.float32), mask, [(10, 10, 110, 110)], [[(25.0, 30.0)]])
    assert (rgb == 60).all()  # the frame itself is not drawn on
    assert out[10, 60].tolist() == [255, 255, 255]  # the box's top edge
    assert out[30, 25].tolist() == [0, 255, 0]  # the landmark
    assert out[40, 60].tolist() == [255, 0, 0]  # the region's contour
    assert out[60, 60].tolist() == [60, 60, 60]  # inside the region: the frame as it was
