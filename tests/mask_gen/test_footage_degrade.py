"""Footage degradations: the codec runs at the face's own size and on predicted frames of a pan that
ends on the image, the `footage` preset is what the run-3 config trains with, and the still-photo recipe
that trained the earlier defaults keeps its steps."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import albumentations as A
import numpy as np
import pytest
import skimage.data
import yaml

from localize.errors import ConfigError
from mask_gen.synth.h264 import h264_clip, h264_still
from mask_gen.synth.self_blend_set import DEGRADE_PRESETS, DegradeConfig, build_degrade, degrade_preset
from mask_gen.synth.video_compression import VideoCompression, compress_at_scale

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.fixture(scope="module")
def crop() -> np.ndarray:
    return np.ascontiguousarray(skimage.data.astronaut()[40:200, 140:300])


def _error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


def _shifted(image: np.ndarray, dx: int) -> np.ndarray:
    return np.roll(image, dx, axis=1)


def test_a_one_frame_clip_is_the_still_and_a_pan_ends_on_the_image(crop):
    assert np.array_equal(h264_clip(crop, 30), h264_still(crop, 30))
    last = h264_clip(crop, 30, frames=5, step=(3.0, 0.0))
    assert last.shape == crop.shape
    # the kept frame lines up with the image, not with the frame a step before it
    assert _error(last, crop) < 0.5 * _error(last, _shifted(crop, 3))
    # a predicted frame is not the intra-coded still
    assert not np.array_equal(last, h264_still(crop, 30))
    with pytest.raises(ConfigError, match="at least one frame"):
        h264_clip(crop, 30, frames=0)


def test_compressing_a_small_face_costs_more_than_compressing_the_crop(crop):
    full = compress_at_scale(crop, 1.0, "jpeg", 70)
    small = compress_at_scale(crop, 0.3, "jpeg", 70)
    assert small.shape == full.shape == crop.shape
    assert _error(small, crop) > 1.5 * _error(full, crop)
    h264 = compress_at_scale(crop, 0.5, "h264", 30, frames=3, step=(1.0, 1.0))
    assert h264.shape == crop.shape and 0 < _error(h264, crop) < 30
    with pytest.raises(ConfigError, match="codec"):
        compress_at_scale(crop, 1.0, "webp", 70)
    with pytest.raises(ConfigError, match="scale"):
        compress_at_scale(crop, 1.5, "jpeg", 70)


def test_the_transform_is_seeded_and_refuses_bad_ranges(crop):
    pipeline = A.Compose([VideoCompression(p=1.0)])
    outs = []
    for seed in (4, 4, 5):
        pipeline.set_random_seed(seed)
        outs.append(pipeline(image=crop)["image"])
    assert np.array_equal(outs[0], outs[1]) and not np.array_equal(outs[0], outs[2])
    with pytest.raises(ConfigError, match="scale_range"):
        VideoCompression(scale_range=(0.0, 1.0))
    with pytest.raises(ConfigError, match="crf_range"):
        VideoCompression(crf_range=(40, 20))


@pytest.mark.parametrize(
    "name",
    [
        "sbi_mobilenet_v2_footage",
        "sbi_mobilenet_v2_lowenc",
        "sbi_mobilenet_v2_frozenenc",
        "sbi_mobilenet_v2_lpft",
        "sbi_adapt",
        "sbi_unet",
        "sbi_unet_v1",
    ],
)
def test_the_footage_configs_train_with_the_footage_preset(name):
    config = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    written = {**asdict(DegradeConfig()), **config["data"]["init_args"]["degrade"]}
    assert written == asdict(DEGRADE_PRESETS["footage"])


@pytest.mark.parametrize(
    "name, preset, extra",
    [
        ("sbi_mobilenet_v2_scenes", "scenes", {"scene": 0.5}),
        ("sbi_mobilenet_v2_far", "footage_far", {"far_face": 0.3}),
    ],
)
def test_the_scenes_and_far_configs_train_with_their_presets_footage_plus_one_step(name, preset, extra):
    config = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    written = {**asdict(DegradeConfig()), **config["data"]["init_args"]["degrade"]}
    assert written == asdict(DEGRADE_PRESETS[preset])
    assert {**asdict(DEGRADE_PRESETS["footage"]), **extra} == asdict(DEGRADE_PRESETS[preset])


def test_the_stills_recipe_keeps_its_steps_and_footage_adds_its_own():
    stills = [type(t).__name__ for t in build_degrade(degrade_preset("stills")).transforms]
    # a step that never applies would still draw numbers and change every earlier model's crops
    assert stills == ["HorizontalFlip", "Downscale", "GaussianBlur", "OneOf", "ToGray", "GaussNoise", "OneOf"]
    footage = build_degrade(degrade_preset("footage")).transforms
    names = [type(t).__name__ for t in footage]
    assert {"Affine", "MotionBlur", "Sharpen"} <= set(names)
    codecs = footage[-1].transforms
    assert type(codecs[0]).__name__ == "VideoCompression" and codecs[0].p == pytest.approx(0.8)
    with pytest.raises(ConfigError, match="unknown degradation preset"):
        degrade_preset("vhs")
    with pytest.raises(ConfigError, match="tilt"):
        DegradeConfig(tilt=1.5)
