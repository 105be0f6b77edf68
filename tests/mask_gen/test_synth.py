from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from localize.common.errors import ConfigError
from mask_gen.datasets import load_pairs
from mask_gen.synth import MANIPULATIONS, make_image_pair
from mask_gen.synth.layouts import SynthConfig, load_truth, write_synthetic
from mask_gen.synth.video import MotionConfig, render_clip


@pytest.mark.parametrize("kind", list(MANIPULATIONS))
def test_each_manipulation_changes_exactly_its_region(kind):
    real = data.astronaut()[::2, ::2].copy()
    pair = make_image_pair(real, np.random.default_rng(0), kind, donor=data.coffee())
    change = np.abs(pair.fake.astype(int) - real).sum(axis=2)
    assert not change[pair.alpha == 0].any(), "pixels outside the blend region must be untouched"
    assert pair.mask.sum() > 500
    assert change[pair.mask].mean() > 15, "the manipulated region must visibly differ"
    assert np.array_equal(pair.mask, pair.alpha >= 0.5)


def test_unknown_manipulation_is_refused():
    with pytest.raises(ConfigError, match="unknown manipulation 'warp'"):
        make_image_pair(data.astronaut(), np.random.default_rng(0), "warp")


def test_clip_masks_follow_the_camera_and_outside_is_untouched():
    pair = make_image_pair(data.astronaut(), np.random.default_rng(2), "self_blend")
    frames = list(render_clip(pair, MotionConfig(frames=8, width=160, height=120), np.random.default_rng(0)))
    centroids = [np.argwhere(mask).mean(axis=0) for _, _, mask in frames]
    assert np.ptp(np.array(centroids), axis=0).max() > 2, "the region must move with the camera"
    for real, fake, mask in frames:
        outside = ~np.pad(mask, 3)[:-6, 3:-3] & ~mask  # away from the feathered edge
        diff = np.abs(real.astype(int) - fake).sum(axis=2)
        assert diff[mask].mean() > 10 and np.median(diff[outside]) == 0


def test_synthetic_sets_are_reproducible(tmp_path):
    config = SynthConfig(videos=2, kinds=("blur",), motion=MotionConfig(frames=2), crfs=(23,), seed=5)
    first = write_synthetic(tmp_path / "a", ["generic"], config)["generic"]
    second = write_synthetic(tmp_path / "b", ["generic"], config)["generic"]
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(("layout", "pairs"), [("ffpp", 24), ("dfdc", 12), ("celebdf", 4), ("generic", 12)])
def test_every_layout_is_read_back_by_its_adapter(synthetic, layout, pairs):
    found = load_pairs(synthetic[layout])
    assert len(found) == pairs
    for pair in found:
        assert pair.real.is_file()
        if pair.fake is not None:
            truth = load_truth(synthetic[layout], pair.fake)
            assert truth.dtype == bool and truth.any()


def test_synth_config_validates():
    with pytest.raises(ConfigError, match="CRF"):
        SynthConfig(crfs=(60,))
    with pytest.raises(ConfigError, match="frame size"):
        MotionConfig(width=321)


def test_compression_conditions_read_the_kind_level_syntax_of_eval():
    from localize.common.errors import ConfigError
    from mask_gen.synth.codecs.compression import parse_condition

    assert parse_condition("jpeg:90") == parse_condition("jpeg90") == ("jpeg", 90)
    assert parse_condition("h264:23") == parse_condition("crf23") == ("crf", 23)
    assert parse_condition("none") == ("none", 0)
    for bad, words in (
        ("jpeg:0", "out of range"),
        ("h264:60", "out of range"),
        ("blur:9", "use none, jpeg:Q"),
        ("jpeg:x", "needs a number"),
        ("crf99", "unknown condition"),
    ):
        with pytest.raises(ConfigError, match=words):
            parse_condition(bad)
