"""The rendered forgeries (FaceSwap- and NeuralTextures-like validation fakes): the region they change
is drawn at low resolution, colour-matched to the target, and, for the mouth, confined to the mouth."""

from __future__ import annotations

import cv2
import numpy as np
import skimage.data
from PIL import Image

from mask_gen.synth.manipulations import match_colours
from mask_gen.synth.selfblend.portraits import FacePhoto
from mask_gen.synth.selfblend.rendered_forgeries import RENDERED, mouth_alpha, rendered

# the astronaut's 5 landmarks (YuNet): right eye, left eye, nose, right and left mouth corners
POINTS = np.array([[204, 107], [243, 103], [227, 128], [209, 148], [241, 145]], np.float64)


def detail(image: np.ndarray, region: np.ndarray) -> float:
    """Variance of the luma's Laplacian inside `region` (fine texture)."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    return float(cv2.Laplacian(grey, cv2.CV_64F)[region].var())


def test_rendering_at_a_fraction_of_the_resolution_removes_fine_detail_and_keeps_the_picture():
    image = skimage.data.astronaut()
    everywhere = np.ones(image.shape[:2], bool)
    low = rendered(image, 0.3)
    assert low.shape == image.shape and low.dtype == np.uint8
    assert detail(low, everywhere) < 0.2 * detail(image, everywhere)
    assert np.abs(low.astype(float) - image).mean() < 12  # the same picture, softer
    assert np.array_equal(rendered(image, 1.0), image)


def test_colours_are_matched_to_the_target_inside_the_region_as_the_rendered_swap_does():
    target = skimage.data.astronaut()
    source = np.clip(target.astype(int) // 2 + (60, 0, 40), 0, 255).astype(np.uint8)  # darker, cast
    region = np.zeros(target.shape[:2], bool)
    region[80:200, 170:280] = True
    lab = lambda image: cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(float)[region]  # noqa: E731
    before = np.abs(lab(source).mean(0) - lab(target).mean(0)).max()
    after = np.abs(lab(match_colours(source, target, region)).mean(0) - lab(target).mean(0)).max()
    assert before > 20 and after < 2


def test_the_mouth_region_lies_around_the_mouth_below_the_nose_and_clear_of_the_eyes():
    alpha = mouth_alpha(POINTS, (512, 512), np.random.default_rng(0))
    assert alpha.dtype == np.float32 and alpha.min() >= 0 and alpha.max() <= 1
    inside = alpha >= 0.5
    ys, xs = np.nonzero(inside)
    assert POINTS[3:, 0].min() - 10 < xs.mean() < POINTS[3:, 0].max() + 10
    assert ys.mean() > POINTS[3:, 1].mean() - 2  # centred on or below the mouth corners
    assert (
        alpha[int(POINTS[0, 1]), int(POINTS[0, 0])] == 0 and alpha[int(POINTS[1, 1]), int(POINTS[1, 0])] == 0
    )
    assert 50 < inside.sum() < 0.05 * alpha.size


def test_each_rendered_edit_leaves_its_region_smoother_than_the_real_face(tmp_path):
    real = skimage.data.astronaut()
    donor_image = np.ascontiguousarray(real[:, ::-1])  # another 'person': the mirror image
    Image.fromarray(donor_image).save(tmp_path / "donor.png")
    mirrored = POINTS.copy()
    mirrored[:, 0] = real.shape[1] - 1 - mirrored[:, 0]
    mirrored = mirrored[[1, 0, 2, 4, 3]]
    donor = FacePhoto(tmp_path / "donor.png", "donor", (0, 0, 1, 1), tuple(mirrored.ravel()))
    hull = np.zeros(real.shape[:2], np.float32)
    cv2.ellipse(hull, (225, 125), (45, 60), 0, 0, 360, 1.0, -1)
    for name, edit in RENDERED.items():
        fake, alpha = edit(real, hull, POINTS, donor, np.random.default_rng(1))
        inside, outside = alpha >= 0.5, alpha == 0
        assert inside.any(), name
        assert np.array_equal(fake[outside], real[outside]), name  # nothing changes outside the region
        core = cv2.erode((alpha > 0.99).astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
        assert core.sum() > 100, name
        assert detail(fake, core) < 0.5 * detail(real, core), name  # away from the seam: drawn, smooth
