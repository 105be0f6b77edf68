from __future__ import annotations

import numpy as np

from localize.inference.components import fill_holes, keep_large_components, regions


def test_keep_large_components_drops_only_small_regions():
    mask = np.zeros((40, 40), bool)
    mask[2:12, 2:12] = True  # 100 px
    mask[30:35, 30:35] = True  # 25 px
    kept = keep_large_components(mask, 100)
    assert kept[2:12, 2:12].all() and not kept[30:35, 30:35].any()
    assert keep_large_components(mask, 101).sum() == 0


def test_fill_holes_fills_enclosed_background_only():
    mask = np.zeros((20, 20), bool)
    mask[5:15, 5:15] = True
    mask[8:12, 8:12] = False
    mask[0:3, 0:3] = True
    filled = fill_holes(mask)
    assert filled[8:12, 8:12].all()
    assert not filled[16:, 16:].any()


def test_regions_lists_area_and_box_largest_first():
    mask = np.zeros((30, 30), bool)
    mask[1:3, 1:4] = True
    mask[10:20, 5:10] = True
    assert regions(mask) == [(50, (5, 10, 10, 20)), (6, (1, 1, 4, 3))]
