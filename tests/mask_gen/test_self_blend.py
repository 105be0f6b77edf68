"""Self-blended fakes: the change lies exactly where the blend mask says, the hull follows the
landmarks, the same seed gives the same fake, and the H.264 transform really round-trips through x264.
Donor blends put another face, aligned on the landmarks, where the mask says, and keep a grey photo grey;
Poisson self-blends leave no step at the seam."""

from __future__ import annotations

import albumentations as A
import cv2
import numpy as np
import pytest
import skimage.data

from localize.common.errors import ConfigError
from mask_gen.synth.codecs.h264 import H264Compression, h264_still
from mask_gen.synth.selfblend.blend import (
    HULLS,
    SelfBlendConfig,
    donor_blend,
    face_hull,
    is_grey,
    poisson_self_blend,
    self_blend,
)

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


def _detail_inside(image, fake, alpha) -> float:
    """Fine detail (mean |Laplacian|) of the fake over the real's, where the source fully shows."""
    inside = alpha > 0.9 * alpha.max()
    lap = [np.abs(cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_32F)) for x in (fake, image)]
    return float(lap[0][inside].mean() / lap[1][inside].mean())


def test_the_source_frequency_change_is_only_the_one_asked(image):
    def detail(**config):
        blend = SelfBlendConfig(**config)
        return [
            _detail_inside(image, *self_blend(image, ASTRONAUT, np.random.default_rng(s), blend))
            for s in range(8)
        ]

    softened, sharpened, either = detail(frequency=("downscale",)), detail(frequency=("sharpen",)), detail()
    assert max(softened) < 0.95  # never crisper than the real face
    assert all(
        sharp > 1.2 * soft for sharp, soft in zip(sharpened, softened, strict=True)
    )  # the same draw, sharpened
    assert min(either) < 0.95 and max(either) > 1.5  # the default draws either


def test_bad_settings_and_inputs_are_refused(image):
    with pytest.raises(ConfigError, match="hulls"):
        SelfBlendConfig(hulls=("ears",))
    with pytest.raises(ConfigError, match="blur_kernels"):
        SelfBlendConfig(blur_kernels=(9, 3))
    with pytest.raises(ConfigError, match="frequency"):
        SelfBlendConfig(frequency=("blur",))
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


def test_a_donor_blend_changes_only_the_masked_face_and_aligns_the_donor_on_the_landmarks(image):
    shift = np.array([40.0, 25.0])
    moved = np.roll(image, (25, 40), axis=(0, 1))  # the same face elsewhere: aligned, it is the real one
    errors = {}
    for name, marks in (("aligned", ASTRONAUT + shift), ("misaligned", ASTRONAUT)):
        inside = []
        for seed in range(4):
            fake, alpha = donor_blend(image, ASTRONAUT, moved, marks, np.random.default_rng(seed))
            assert fake.dtype == np.uint8 and fake.shape == image.shape and alpha.dtype == np.float32
            changed = np.abs(fake.astype(int) - image.astype(int)).max(axis=2) > 1
            assert not changed[alpha < 0.005].any()  # nothing outside the mask moves
            core = alpha > 0.9 * alpha.max()
            inside.append(np.abs(fake.astype(float) - image.astype(float))[core].mean())
        errors[name] = np.mean(inside)
    assert errors["aligned"] < 0.5 * errors["misaligned"]


def test_a_grey_photo_gets_a_grey_donor_and_bad_landmarks_give_back_the_real_face(image):
    grey = np.repeat(image.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    assert is_grey(grey) and not is_grey(image)
    for seed in range(6):  # Lab transfer alone would leave up to 33 levels of colour here
        fake, alpha = donor_blend(grey, ASTRONAUT, image, ASTRONAUT + 10, np.random.default_rng(seed))
        assert (alpha > 0.2).any() and is_grey(fake)
        assert np.abs(fake.astype(float) - fake.mean(axis=2, keepdims=True)).max() < 4
    flat = np.repeat(ASTRONAUT[:1], 5, axis=0)  # all five landmarks on one point: no alignment exists
    fake, alpha = donor_blend(image, ASTRONAUT, image, flat, np.random.default_rng(0))
    assert np.array_equal(fake, image) and not alpha.any()
    with pytest.raises(ConfigError, match="RGB uint8"):
        donor_blend(image[..., 0], ASTRONAUT, image, ASTRONAUT, np.random.default_rng(0))


def test_a_poisson_self_blend_changes_the_face_inside_its_mask_but_not_at_the_seam(image):
    rings, cores = [], []
    for seed in range(6):
        fake, mask = poisson_self_blend(image, ASTRONAUT, np.random.default_rng(seed))
        region = mask > 0
        assert set(np.unique(mask)) == {0.0, 1.0} and 0.005 < region.mean() < 0.2
        assert np.array_equal(fake[~region], image[~region])  # OpenCV's solver leaks; the result must not
        change = np.abs(fake.astype(float) - image.astype(float)).mean(axis=2)
        inner = cv2.erode(region.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        core = cv2.erode(region.astype(np.uint8), np.ones((31, 31), np.uint8)) > 0
        rings.append(change[region & ~inner].mean())
        cores.append(change[core].mean())
    assert np.mean(cores) > 8  # the face really changed
    assert np.mean(rings) < 0.35 * np.mean(cores)  # and the boundary matches the real photo
