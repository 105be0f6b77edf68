from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from localize.common.errors import ConfigError, PairError
from mask_gen import MaskConfig, make_mask
from mask_gen.core import auto_threshold, difference_map
from mask_gen.quality import mask_dice


def textured(shape=(96, 128), seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.integers(60, 200, (shape[0] // 8, shape[1] // 8, 3)).astype(np.uint8)
    return np.kron(base, np.ones((8, 8, 1), np.uint8))


def test_identical_frames_give_an_empty_mask():
    real = textured()
    assert not make_mask(real, real.copy()).any()


def test_changed_region_is_found_and_small_blobs_are_dropped():
    real = textured()
    fake = real.copy()
    fake[20:60, 30:90] = np.clip(fake[20:60, 30:90].astype(int) + 40, 0, 255)  # 2400 px
    fake[80:86, 5:11] = 255 - fake[80:86, 5:11]  # 36 px: below min_region_px
    truth = np.zeros(real.shape[:2], bool)
    truth[20:60, 30:90] = True
    mask = make_mask(real, fake)
    assert mask.dtype == bool and mask.shape == real.shape[:2]
    assert mask_dice(mask, truth) > 0.9
    assert not mask[80:86, 5:11].any()
    assert make_mask(real, fake, MaskConfig(min_region_px=10))[80:86, 5:11].any()


def test_auto_threshold_rises_with_compression_noise():
    real = textured()
    rng = np.random.default_rng(1)
    noisy = np.clip(real + rng.normal(0, 25, real.shape), 0, 255).astype(np.uint8)
    fake = noisy.copy()
    fake[20:60, 30:90] = np.clip(fake[20:60, 30:90].astype(int) + 70, 0, 255)
    truth = np.zeros(real.shape[:2], bool)
    truth[20:60, 30:90] = True
    fixed = make_mask(real, fake, MaskConfig(threshold=4.0))
    auto = make_mask(real, fake, MaskConfig(threshold="auto"))
    assert auto_threshold(difference_map(real, noisy)) > auto_threshold(difference_map(real, real))
    assert mask_dice(auto, truth) > 0.9 > mask_dice(fixed, truth)


@pytest.mark.parametrize(
    ("real", "fake", "message"),
    [
        (np.zeros((8, 8, 3), np.uint8), np.zeros((8, 9, 3), np.uint8), "differ in size"),
        (np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.float32), "uint8"),
        (np.zeros((8, 8), np.uint8), np.zeros((8, 8), np.uint8), "RGB"),
    ],
)
def test_bad_pairs_raise_a_clear_error(real, fake, message):
    with pytest.raises(PairError, match=message):
        make_mask(real, fake)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("blur_kernel", 4),
        ("blur_kernel", 0),
        ("threshold", -1.0),
        ("threshold", "high"),
        ("min_region_px", -5),
        ("connectivity", 6),
        ("noise_k", 0.0),
    ],
)
def test_mask_config_rejects_bad_values_naming_them(field, value):
    with pytest.raises(ConfigError, match=field.split("_")[0]):
        MaskConfig(**{field: value})


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.uint8, (24, 24, 3)),
    arrays(np.uint8, (24, 24, 3)),
    st.sampled_from([8.0, 30.0, "auto"]),
)
def test_make_mask_is_symmetric_and_well_formed(a, b, threshold):
    config = MaskConfig(threshold=threshold, min_region_px=20)
    mask = make_mask(a, b, config)
    assert mask.shape == (24, 24) and mask.dtype == bool
    assert np.array_equal(mask, make_mask(b, a, config))


def test_mask_dice_edge_cases():
    empty = np.zeros((4, 4), bool)
    full = np.ones((4, 4), bool)
    assert mask_dice(empty, empty) == 1.0
    assert mask_dice(full, empty) == 0.0
    assert mask_dice(full, full) == 1.0


def _edit_with_faint_inside(noise: float = 0.0, seed: int = 0):
    """A 40x60 edit with strong edges (distance ~50) and a faint inside (~7); with `noise`, Gaussian
    noise in a band around the edit only (an encoder re-deciding the blocks an edit touches)."""
    real = textured((192, 256))
    rng = np.random.default_rng(seed)
    fake = real.astype(float)
    edit = (slice(76, 116), slice(98, 158))
    if noise:
        fake[40:152, 62:194] += rng.normal(0, noise, fake[40:152, 62:194].shape)
    fake[edit] = real[edit] + 4.0
    fake[edit][[0, 1, -2, -1]] += 30
    fake[edit][:, [0, 1, -2, -1]] += 30
    truth = np.zeros(real.shape[:2], bool)
    truth[edit] = True
    return real, np.clip(np.rint(fake), 0, 255).astype(np.uint8), truth


def test_hysteresis_grows_strong_edges_through_a_faint_inside():
    real, fake, truth = _edit_with_faint_inside()
    seed_only = make_mask(real, fake, MaskConfig(grow=None, fill_holes=False))
    grown = make_mask(real, fake, MaskConfig(fill_holes=False))
    assert mask_dice(grown, truth) > 0.9 > mask_dice(seed_only, truth) + 0.2
    # a fixed low cut above the inside's distance grows nothing into it
    assert mask_dice(make_mask(real, fake, MaskConfig(grow=12.0, fill_holes=False)), truth) < 0.7


def test_growth_stops_at_the_noise_measured_around_the_edit():
    """Noise beside the edit (none elsewhere): the low cut read around the seeds rises above it, so the
    mask does not flood the band, while the same cut read over the whole (clean) frame would."""
    from localize.inference.components import keep_large_components
    from mask_gen.core import noise_level, ring_noise_cut

    real, fake, truth = _edit_with_faint_inside(noise=12.0, seed=2)
    config = MaskConfig(fill_holes=False)
    distance = difference_map(real, fake)
    seeds = keep_large_components(distance > config.threshold, config.min_seed_px)
    median, sigma = noise_level(distance)
    frame_cut = max(config.grow_floor, median + config.grow_k * sigma)
    assert ring_noise_cut(distance, seeds, config) > frame_cut + 2
    grown = make_mask(real, fake, config)
    flooded = make_mask(real, fake, MaskConfig(grow=frame_cut, fill_holes=False))
    band = np.zeros_like(truth)
    band[40:152, 62:194] = True
    band &= ~truth
    assert grown[band].mean() < 0.1 < flooded[band].mean()


def test_grow_off_with_a_fixed_cut_is_the_seed_procedure():
    rng = np.random.default_rng(4)
    real, fake = textured(), textured(seed=5)
    keep = rng.random(fake.shape[:2]) < 0.5
    fake[keep] = real[keep]
    seed = MaskConfig(threshold=8.0, grow=None, fill_holes=False)
    from localize.inference.components import keep_large_components

    expected = keep_large_components(difference_map(real, fake) > 8.0, 100)
    assert np.array_equal(make_mask(real, fake, seed), expected)
