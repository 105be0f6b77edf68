"""Combing found by content (interlaced video re-encoded as progressive) and the top-field rebuild."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from localize.media.interlace import COMBED, combing, deinterlaced, without_combing
from mask_gen.synth.codecs.h264 import h264_still
from mask_gen.synth.selfblend.scene import woven_interlaced

PHOTOS = {"astronaut": data.astronaut(), "coffee": data.coffee(), "chelsea": data.chelsea()}


@pytest.mark.parametrize("name", PHOTOS)
def test_combing_tells_woven_fields_from_a_progressive_photo_even_coded_ash264_still(name):
    photo = PHOTOS[name]
    assert combing(photo) < COMBED and combing(h264_still(photo, 23)) < COMBED
    for apart in (1, 3):
        woven = woven_interlaced(photo, apart)
        assert combing(woven) > COMBED
        assert combing(h264_still(woven, 23)) > COMBED  # re-encoded as progressive: the combing stays
        assert combing(deinterlaced(woven)) < COMBED  # the top field alone has none


def test_noise_thin_lines_and_hard_edges_are_not_combing():
    rng = np.random.default_rng(0)
    assert combing(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)) < COMBED  # as fine at both scales
    lines = np.full((120, 160, 3), 90, np.uint8)
    lines[40] = 250  # a one-line rule
    lines[80:] = 10  # a hard horizontal edge
    assert combing(lines) < COMBED
    assert combing(np.zeros((120, 160, 3), np.uint8)) < COMBED
    assert combing(woven_interlaced(data.astronaut(), 2)[:10]) == 0  # too few lines to tell


def test_only_a_combed_frame_is_rebuilt():
    photo = data.astronaut()
    same, rebuilt = without_combing(photo)
    assert same is photo and not rebuilt
    woven = woven_interlaced(photo, 2)
    fixed, rebuilt = without_combing(woven)
    assert rebuilt and np.array_equal(fixed, deinterlaced(woven))
