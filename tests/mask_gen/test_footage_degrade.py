"""Footage degradations: the codec runs at the face's own size and on predicted frames of a pan that
ends on the image, the `footage` preset is what the run-3 config trains with, and the still-photo recipe
that trained the earlier defaults keeps its steps."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import albumentations as A
import cv2
import numpy as np
import pytest
import skimage.data
import yaml

from localize.common.errors import ConfigError
from mask_gen.synth.codecs.h264 import h264_clip, h264_sequence, h264_still
from mask_gen.synth.codecs.video_compression import VideoCompression, compress_at_scale
from mask_gen.synth.selfblend.degrade import DEGRADE_PRESETS, DegradeConfig, build_degrade, degrade_preset
from mask_gen.synth.selfblend.looks import DEFOCUS_SIGMAS, Defocus

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


def test_a_sequence_keeps_its_last_frame_at_its_own_odd_size(crop):
    odd = crop[:63, :61]
    frames = [_shifted(odd, 6), _shifted(odd, 3), odd]
    last = h264_sequence(frames, 30)
    assert last.shape == odd.shape
    assert _error(last, odd) < 0.5 * _error(last, frames[0])
    assert np.array_equal(h264_sequence([odd], 30), h264_still(odd, 30))
    with pytest.raises(ConfigError, match="at least one frame"):
        h264_sequence([], 30)


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
        ("sbi_mobilenet_v2_soft", "footage_soft", {"far_face": 0.3, "defocus": 0.25}),
        ("sbi_adapt", "footage_soft", {"far_face": 0.3, "defocus": 0.25}),
        ("sbi_mobilenet_v2_surgical", "footage_soft", {"far_face": 0.3, "defocus": 0.25}),
        ("sbi_efficientnet_lite0", "footage_soft", {"far_face": 0.3, "defocus": 0.25}),
        ("sbi_mobilenet_v2_donor", "footage_soft", {"far_face": 0.3, "defocus": 0.25}),
        ("sbi_mobilenet_v2_poisson", "footage_soft", {"far_face": 0.3, "defocus": 0.25}),
        ("sbi_mobilenet_v2_hard", "footage_hard", {"far_face": 0.3, "defocus": 0.25, "hard_codec": 0.3}),
        (
            "sbi_mobilenet_v2_sharp",
            "footage_sharp",
            {"far_face": 0.3, "defocus": 0.25, "hard_codec": 0.3, "oversharpen": 0.25},
        ),
        (
            "sbi_mobilenet_v2_sharp_source",
            "footage_sharp",
            {"far_face": 0.3, "defocus": 0.25, "hard_codec": 0.3, "oversharpen": 0.25},
        ),
        (
            "sbi_mobilenet_v2_denoised",
            "footage_denoised",
            {"far_face": 0.3, "defocus": 0.25, "hard_codec": 0.3, "denoise": 0.3},
        ),
        (
            "sbi_mobilenet_v2_gpu",
            "footage_denoised",
            {"far_face": 0.3, "defocus": 0.25, "hard_codec": 0.3, "denoise": 0.3},
        ),
        (
            "sbi_real_val",
            "footage_denoised",
            {"far_face": 0.3, "defocus": 0.25, "hard_codec": 0.3, "denoise": 0.3},
        ),
    ],
)
def test_the_scenes_far_and_soft_configs_train_with_their_presets_footage_plus_their_steps(
    name, preset, extra
):
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


def _sharpness(image: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def test_defocus_blurs_by_a_share_of_the_crop_width_whatever_its_size(crop):
    pipeline = A.Compose([Defocus(p=1.0)])
    pipeline.set_random_seed(3)
    soft = pipeline(image=crop)["image"]
    pipeline.set_random_seed(3)
    assert np.array_equal(soft, pipeline(image=crop)["image"])  # seeded
    assert _sharpness(soft) < 0.2 * _sharpness(crop)
    # the same share on the crop at twice the size, brought back down, is the same blur
    large = cv2.resize(crop, (320, 320), interpolation=cv2.INTER_CUBIC)
    share = 0.02
    small_blur = Defocus(sigma_range=(share, share), p=1.0).apply(crop, share=share)
    large_blur = Defocus(sigma_range=(share, share), p=1.0).apply(large, share=share)
    back = cv2.resize(large_blur, (160, 160), interpolation=cv2.INTER_AREA)
    assert _error(back, small_blur) < 2.0
    assert _error(back, small_blur) < 0.3 * _error(crop, small_blur)
    with pytest.raises(ConfigError, match="sigma_range"):
        Defocus(sigma_range=(0.0, 0.1))
    with pytest.raises(ConfigError, match="sigma_range"):
        Defocus(sigma_range=(0.05, 0.01))


def test_the_soft_preset_defocuses_a_share_of_the_crops_and_the_far_recipe_draws_as_before(crop):
    soft = build_degrade(degrade_preset("footage_soft")).transforms
    steps = [type(t).__name__ for t in soft]
    assert steps.index("Defocus") < len(steps) - 1  # before the codec, as a lens is before the encoder
    assert soft[steps.index("Defocus")].p == pytest.approx(0.25)
    assert soft[steps.index("Defocus")].sigma_range == DEFOCUS_SIGMAS
    # footage_far has no Defocus step, so run 7's crops repeat draw for draw
    assert "Defocus" not in [
        type(t).__name__ for t in build_degrade(degrade_preset("footage_far")).transforms
    ]
    always = build_degrade(
        DegradeConfig(hflip=0, small_face=0, blur=0, noise=0, colour=0, grey=0, compress=0, defocus=1.0)
    )
    assert [type(t).__name__ for t in always.transforms] == ["Defocus"]
    always.set_random_seed(0)
    assert _sharpness(always(image=crop)["image"]) < 0.2 * _sharpness(crop)


def _codec_error(config: DegradeConfig, crop: np.ndarray, draws: int = 24) -> float:
    transform = build_degrade(config)
    errors = []
    for seed in range(draws):
        transform.set_random_seed(seed)
        errors.append(_error(transform(image=crop)["image"], crop))
    return float(np.mean(errors))


def test_the_hard_codec_codes_a_share_of_the_crops_beyond_the_other_ranges_and_leaves_soft_as_it_was(crop):
    only_codecs = DegradeConfig(
        hflip=0,
        small_face=0,
        blur=0,
        noise=0,
        colour=0,
        grey=0,
        crop_jitter=0,
        compress=1.0,
        footage_compress=0.8,
    )
    usual = _codec_error(only_codecs, crop)
    assert _codec_error(DegradeConfig(**{**asdict(only_codecs), "hard_codec": 1.0}), crop) > 1.3 * usual
    # footage_hard is footage_soft plus the hard codec; footage_soft's pipeline is built as before
    assert {**asdict(DEGRADE_PRESETS["footage_soft"]), "hard_codec": 0.3} == asdict(
        DEGRADE_PRESETS["footage_hard"]
    )
    soft = build_degrade(degrade_preset("footage_soft")).transforms[-1]
    assert [type(t).__name__ for t in soft.transforms] == ["VideoCompression", "OneOf"]


# a recipe of just the step under test: every step on by default switched off
ONLY = {"hflip": 0, "small_face": 0, "blur": 0, "noise": 0, "colour": 0, "grey": 0, "compress": 0}


def steps(preset: str) -> list[str]:
    """The names of the steps a preset's pipeline runs."""
    return [type(t).__name__ for t in build_degrade(degrade_preset(preset)).transforms]


def _halo_energy(image: np.ndarray) -> float:
    """Energy of the mid frequencies an unsharp mask of a 1.5-4 px radius boosts (a difference of
    Gaussians); a 3x3 sharpening kernel acts mostly finer than that."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    return float((cv2.GaussianBlur(grey, (0, 0), 1.5) - cv2.GaussianBlur(grey, (0, 0), 4)).var())


def test_oversharpening_puts_halos_on_the_whole_crop_beyond_the_footage_sharpen_and_only_when_asked(crop):
    from mask_gen.synth.selfblend.looks import Oversharpen

    assert "Oversharpen" not in steps("footage_hard") and "Oversharpen" in steps("footage_sharp")
    usual = build_degrade(DegradeConfig(**ONLY, sharpen=1.0))
    strong = build_degrade(DegradeConfig(**ONLY, oversharpen=1.0))
    assert [type(t).__name__ for t in strong.transforms] == ["Oversharpen"]
    gains_usual, gains_strong = [], []
    for seed in range(8):
        usual.set_random_seed(seed), strong.set_random_seed(seed)
        gains_usual.append(_halo_energy(usual(image=crop)["image"]) / _halo_energy(crop))
        gains_strong.append(_halo_energy(strong(image=crop)["image"]) / _halo_energy(crop))
    assert min(gains_strong) > 1.2 and np.mean(gains_strong) > 1.5 * np.mean(gains_usual)
    with pytest.raises(ConfigError):
        Oversharpen(amount_range=(0.0, 1.0))


def _step_with_grain(seed: int) -> np.ndarray:
    """A 160 px crop: a dark and a light half (40 / 200) under fine grain (sigma 6), as skin beside hair."""
    image = np.full((160, 160, 3), 40.0)
    image[:, 80:] = 200.0
    image += np.random.default_rng(seed).normal(0, 6, image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("method", ["bilateral", "nlmeans"])
def test_denoising_flattens_the_grain_and_keeps_the_edges_where_defocus_blurs_both(method):
    from mask_gen.synth.selfblend.looks import Defocus, Denoise

    image = _step_with_grain(0)
    smooth = Denoise(p=1.0).apply(image, method=method, colour=60.0, share=0.04, h=15.0)
    blurred = Defocus(p=1.0).apply(image, share=0.02)
    grain = image[:, 10:70].std()
    for out, keeps_edge in ((smooth, True), (blurred, False)):
        assert out[:, 10:70].std() < 0.5 * grain  # the grain at least halved
        edge = float(out[:, 81].mean() - out[:, 78].mean())  # 3 px across the step
        assert (edge > 0.9 * 160) == keeps_edge


def test_denoise_runs_only_when_asked_and_refuses_bad_ranges():
    from mask_gen.synth.selfblend.looks import Denoise

    assert "Denoise" not in steps("footage_hard") and "Denoise" in steps("footage_denoised")
    pipeline = build_degrade(DegradeConfig(**ONLY, denoise=1.0))
    assert [type(t).__name__ for t in pipeline.transforms] == ["Denoise"]
    image = _step_with_grain(1)
    methods = set()
    for seed in range(12):
        pipeline.set_random_seed(seed)
        out = pipeline(image=image)["image"]
        assert out.shape == image.shape and out.dtype == np.uint8
        assert out[:, 10:70].std() < image[:, 10:70].std()
        methods.add(pipeline.transforms[0].get_params()["method"])
    assert methods == {"bilateral", "nlmeans"}
    with pytest.raises(ConfigError):
        Denoise(space_range=(0.01, 0.6))
    with pytest.raises(ConfigError):
        Denoise(h_range=(0.0, 5.0))


def test_synth_help_names_every_degradation_preset_in_order():
    import argparse

    from mask_gen.cli.synth import DEGRADE_NOTES, add_arguments

    assert list(DEGRADE_NOTES) == list(DEGRADE_PRESETS)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    help_text = " ".join(parser.format_help().split())
    for name in DEGRADE_PRESETS:
        assert f" {name} (" in help_text
