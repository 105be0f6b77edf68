"""One perturbation registry and spec syntax for eval's robustness suite, training augmentation and the
synthetic clips' compression conditions."""

from __future__ import annotations

import numpy as np
import pytest

from eval.robustness import Perturbation
from localize.common.errors import ConfigError
from mask_gen.synth.codecs.compression import parse_condition
from mask_gen.synth.codecs.perturbations import KINDS, Perturb, Spec, parse_spec
from mask_gen.synth.sources import bundled_photos, fit_side
from train.augment import AugmentConfig, build_augment


@pytest.fixture(scope="module")
def crop():
    return fit_side(bundled_photos()["astronaut"], 64)[:64, :64].copy()


def test_specs_parse_fixed_levels_ranges_and_negative_angles():
    assert parse_spec("jpeg:50") == Spec("jpeg", 50, 50)
    assert parse_spec(" jpeg:30-95 ") == Spec("jpeg", 30, 95)
    assert parse_spec("rotate:-45") == Spec("rotate", -45, -45)
    assert parse_spec("jpeg:30-95").label == "jpeg 30-95" and parse_spec("blur:9").label == "blur 9"
    for bad, words in (
        ("sharpen:3", "unknown perturbation"),
        ("jpeg:", "needs a number"),
        ("jpeg:95-30", "out of range"),
        ("blur:4", "out of range"),
        ("h264:52", "out of range"),
    ):
        with pytest.raises(ConfigError, match=words):
            parse_spec(bad)


def test_ranges_draw_levels_of_the_kinds_form(crop):
    blur = Perturb("blur", (3, 15))
    drawn = {blur.get_params()["level"] for _ in range(200)}
    assert drawn <= {3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0} and len(drawn) >= 5
    jpeg = {Perturb("jpeg", (30, 95)).get_params()["level"] for _ in range(200)}
    assert all(level.is_integer() and 30 <= level <= 95 for level in jpeg) and len(jpeg) > 20


def test_eval_training_and_synth_share_one_definition(crop):
    """The suite's jpeg:50 and a training transform built from the same spec give the same pixels; the
    synthetic conditions read the same syntax and refuse what is not a compression."""
    mask = np.zeros(crop.shape[:2], bool)
    suite = Perturbation("jpeg", 50)(crop[None], mask[None])[0][0]
    assert np.array_equal(parse_spec("jpeg:50").transform()(image=crop, mask=mask)["image"], suite)
    augment = build_augment(AugmentConfig(blur=0, rotate=0, scale=0, hflip=0, jpeg=1.0))
    assert any(isinstance(t, Perturb) and t.kind == "jpeg" for t in augment.transforms)
    assert parse_condition("jpeg:90") == ("jpeg", int(parse_spec("jpeg:90").low))


def test_only_geometric_kinds_move_the_mask(crop):
    mask = np.zeros(crop.shape[:2], np.uint8)
    mask[10:30, 5:25] = 1
    for kind in KINDS:
        level = {"jpeg": 30, "h264": 40, "blur": 9, "noise": 10, "resize": 0.5, "rotate": 30}[kind]
        out = Perturb(kind, (level, level))(image=crop, mask=mask)
        assert out["image"].shape == crop.shape and out["image"].dtype == np.uint8
        assert np.array_equal(out["mask"], mask) == (kind != "rotate"), kind
