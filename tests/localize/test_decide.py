"""The seed's frame and video rules, at their edges."""

from __future__ import annotations

import numpy as np

from localize.inference.decide import frame_is_fake, suspicious_regions, video_is_fake


def test_a_frame_needs_a_confident_region_of_more_than_100_px():
    prob = np.zeros((64, 64), np.float32)
    prob[:10, :10] = 0.9  # exactly 100 px: not more than 100
    assert not frame_is_fake(prob)
    prob[10, 0] = 0.9  # 101 px, connected
    assert frame_is_fake(prob)
    assert not frame_is_fake(prob, threshold=0.95)
    scattered = np.zeros((64, 64), np.float32)
    scattered[::2, ::2] = 0.99  # 1024 confident pixels, none connected
    assert not frame_is_fake(scattered)


def test_regions_report_area_box_and_peak_largest_first():
    prob = np.zeros((64, 64), np.float32)
    prob[5:20, 5:20] = 0.7
    prob[30:60, 30:40] = 0.8
    prob[40, 35] = 0.99
    found = suspicious_regions(prob, 0.5, 100)
    assert [(r.area, r.box) for r in found] == [(300, (30, 30, 40, 60)), (225, (5, 5, 20, 20))]
    assert found[0].peak == np.float32(0.99)


def test_a_video_needs_more_than_half_of_its_frames():
    assert not video_is_fake([True, False])
    assert video_is_fake([True, True, False])
    assert not video_is_fake([])
    assert video_is_fake([True, False, False], min_fake_fraction=0.3)
