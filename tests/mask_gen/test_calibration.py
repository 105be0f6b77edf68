"""The README's Dice figures: make_mask against exact masks on synthetic clips under compression."""

from __future__ import annotations

import pytest

from mask_gen import MaskConfig
from mask_gen.synth.calibration import degraded, mean_dice, synthetic_clips


@pytest.fixture(scope="module")
def clips():
    return synthetic_clips(8, seed=11)


@pytest.mark.slow
@pytest.mark.parametrize("condition", ["none", "jpeg90", "crf23"])
def test_default_threshold_meets_the_dice_target(clips, condition):
    assert mean_dice(degraded(clips, condition)) >= 0.85


@pytest.mark.slow
def test_auto_threshold_beats_the_fixed_one_under_heavy_compression(clips):
    heavy = degraded(clips, "crf40")
    assert mean_dice(heavy, MaskConfig(threshold="auto")) > mean_dice(heavy) + 0.05
