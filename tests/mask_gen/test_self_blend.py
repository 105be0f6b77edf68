"""Self-blended fakes: the change lies exactly where the blend mask says, the hull follows the
landmarks, the same seed gives the same fake, and the H.264 transform really round-trips through x264."""

from __future__ import annotations

import albumentations as A
import numpy as np
import pytest
import skimage.data

from localize.errors import ConfigError
from mask_gen.synth.h264 import H264Compression, h264_still
from mask_gen.synth.self_blend import HULLS, SelfBlendConfig, face_hull, self_blend

# the astronaut's 5 landmarks (right eye, left eye, nose, right and left mouth corners), from YuNet
ASTRONAUT = np.array([[204.0, 107.0], [243.0, 103.0], [227.0, 128.0], [209.0, 148.0], [241.0, 145.0]])


@pytest.fixture(scope="module")
def image():
    return skimage.data.astronaut()


@pytest.mark.parametrize("kind", HULLS)
def test_hull_covers_the_landmarks_it_should_and_stays_near_the_face(kind):
    hull = face_hull(ASTRONAUT, (512, 512, 3), kind, np.random.default_rng(0)) > 0
    mouth = ASTRONAUT[3:].mean(0).round().astype(int)
    assert hull[mouth[1], mouth[0]]
    eye = ASTRONAUT[0].round().astype(int)
    assert hull[eye[1], eye[0]] == (kind != "lower")  # the lower-face hull stops under the eyes
    ys, xs = np.nonzero(hull)
    assert 150 < xs.mean() < 300 and 80 < ys.mean() < 220
    assert hull.sum() < 0.15 * hull.size


def test_the_fake_differs_from_the_real_only_inside_the_blend(image):
    for seed in range(6):
        fake, alpha = self_blend(image, ASTRONAUT, np.random.default_rng(seed))
        assert fake.shape == image.shape and fake.dtype == np.uint8
        assert alpha.dtype == np.float32 and alpha.min() >= 0 and alpha.max() <= 1
        changed = np.abs(fake.astype(int) - image.astype(int)).max(axis=2) > 1
        assert not changed[alpha < 0.005].any()  # nothing outside the mask moves
        assert changed[alpha > 0.5 * alpha.max()].mean() > 0.3  # and inside it the face really changed
        assert (alpha > SelfBlendConfig().mask_cut).any()


def test_same_seed_same_fake_other_seed_other_fake(image):
    a = self_blend(image, ASTRONAUT, np.random.default_rng(7))
    b = self_blend(image, ASTRONAUT, np.random.default_rng(7))
    c = self_blend(image, ASTRONAUT, np.random.default_rng(8))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_bad_settings_and_inputs_are_refused(image):
    with pytest.raises(ConfigError, match="hulls"):
        SelfBlendConfig(hulls=("ears",))
    with pytest.raises(ConfigError, match="blur_kernels"):
        SelfBlendConfig(blur_kernels=(9, 3))
    with pytest.raises(ConfigError, match="RGB uint8"):
        self_blend(image.astype(np.float32), ASTRONAUT, np.random.default_rng(0))


def test_h264_round_trip_keeps_the_size_and_costs_more_at_higher_crf(image):
    crop = np.ascontiguousarray(image[51:180, 150:277])  # odd sides
    good, bad = h264_still(crop, 18), h264_still(crop, 45)
    assert good.shape == crop.shape == bad.shape
    error = [np.abs(x.astype(int) - crop.astype(int)).mean() for x in (good, bad)]
    assert 0 < error[0] < error[1]
    with pytest.raises(ConfigError, match="CRF"):
        h264_still(crop, 60)


def test_h264_transform_is_seeded_like_every_albumentations_transform(image):
    pipeline = A.Compose([H264Compression(crf_range=(20, 40), p=1.0)])
    crop = np.ascontiguousarray(image[:128, :128])
    pipeline.set_random_seed(3)
    first = pipeline(image=crop)["image"]
    pipeline.set_random_seed(3)
    assert np.array_equal(first, pipeline(image=crop)["image"])
    assert not np.array_equal(first, crop)
    with pytest.raises(ConfigError, match="crf_range"):
        H264Compression(crf_range=(40, 20))
