"""A frame's map from crop outputs: tiles cover the frame, overlapping tiles average, overlapping face
crops keep the more suspicious value, and each region is held to its own crop's scale."""

from __future__ import annotations

import numpy as np

from localize.inference.frame_maps import assemble, judge_map, tiles


def test_tiles_cover_the_frame_with_input_sized_overlapping_boxes():
    boxes = tiles((150, 200, 3), (64, 64), 0.25)
    covered = np.zeros((150, 200), int)
    for x0, y0, x1, y1 in boxes:
        assert (y1 - y0, x1 - x0) == (64, 64)
        covered[y0:y1, x0:x1] += 1
    assert covered.min() >= 1 and covered.max() > 1
    assert tiles((50, 60, 3), (64, 64), 0.25) == [(0, 0, 60, 50)]


def test_tiles_average_where_they_overlap_and_faces_keep_the_maximum():
    jobs = [(0, (0, 0, 4, 4)), (0, (2, 0, 6, 4))]
    outputs = [np.full((4, 4), 0.2, np.float32), np.full((4, 4), 0.6, np.float32)]
    averaged = assemble([(4, 6, 3)], jobs, outputs, average=True)[0]
    assert np.allclose(averaged[:, :2], 0.2) and np.allclose(averaged[:, 2:4], 0.4)
    assert np.allclose(averaged[:, 4:], 0.6)
    maxed = assemble([(4, 6, 3)], jobs, outputs, average=False)[0]
    assert np.allclose(maxed[:, 2:4], 0.6) and np.allclose(maxed[:, :2], 0.2)


def test_each_region_is_held_to_its_own_crops_scale():
    prob = np.zeros((100, 200), np.float32)
    prob[10:20, 10:20] = 0.9  # 100 px inside the small crop
    prob[10:20, 110:120] = 0.9  # 100 px inside the large crop
    small, large = (0, 0, 50, 50), (100, 0, 200, 100)
    scales = {small: 1.0, large: 4.0}  # the large crop was seen at a quarter of its area
    mask, score, found = judge_map(prob, [small, large], 0.5, 50, scales)
    assert [r.box for r in found] == [(10, 10, 20, 20)]  # 100 > 50 px, but 100 < 50 * 4 in the large crop
    assert mask[15, 15] and not mask[15, 115] and score == np.float32(0.9)
    _, _, found = judge_map(prob, [small, large], 0.5, 20, scales)
    assert len(found) == 2
    mask, score, found = judge_map(prob, [small, large], 0.5, 50, scales, segmentation=False)
    assert found == [] and not mask.any()  # crop means 0.04 and 0.01


def test_a_lower_mask_threshold_grows_the_mask_of_a_fake_frame_only():
    prob = np.zeros((60, 120), np.float32)
    prob[10:40, 10:40] = 0.6  # the edit's extent, below the frame threshold
    prob[20:30, 20:30] = 0.99  # its confident core: 100 px
    prob[10:40, 70:100] = 0.6  # an unconnected lukewarm patch, no confident pixel in it
    box, scales = (0, 0, 120, 60), {(0, 0, 120, 60): 1.0}
    strict, score, found = judge_map(prob, [box], 0.98, 50, scales)
    grown, grown_score, grown_found = judge_map(prob, [box], 0.98, 50, scales, mask_threshold=0.5)
    assert strict.sum() == 100 and grown.sum() == 900  # the core's whole connected extent, no more
    assert not grown[25, 85]  # the patch touches no region the frame rule found
    assert (grown_found, grown_score) == (found, score)  # the verdict does not move
    quiet = np.where(prob > 0.9, 0.0, prob)  # no confident core: a real frame's mask stays empty
    mask, _, found = judge_map(quiet, [box], 0.98, 50, scales, mask_threshold=0.5)
    assert found == [] and not mask.any()
    same, _, _ = judge_map(prob, [box], 0.98, 50, scales, mask_threshold=0.99)  # higher: the regions
    assert same.sum() == 100
