"""Scenes behind real faces: the person's matte is found, the face (where every blend lies) is never
touched, the background is, and the preset only draws numbers when it is on; faces far from the camera
shrink with their mask and box."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from localize.common.errors import ConfigError
from localize.faces.boxes import expand_box
from localize.inference.preprocess import Preprocessing
from mask_gen.synth.selfblend.degrade import DegradeConfig
from mask_gen.synth.selfblend.framing import EDGE_SIDES, edge_face, far_face
from mask_gen.synth.selfblend.portraits import FacePhoto
from mask_gen.synth.selfblend.sampler import SelfBlendSampler
from mask_gen.synth.selfblend.scene import _face_core, composite, in_scene, occluded, person_matte

BOX = (80, 55, 160, 155)
LANDMARKS = np.array([[105, 95], [135, 95], [120, 110], [108, 125], [132, 125]], float)


def _portrait(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 240x240 photo of a skin-toned head and a dark suit before a blue striped wall, and the truth
    of which pixels are the person."""
    rng = np.random.default_rng(seed)
    image = np.zeros((240, 240, 3), np.uint8)
    image[:] = (70, 110, 170)
    image[:, ::12] = (50, 90, 150)  # stripes: a textured wall
    person = np.zeros((240, 240), np.uint8)
    cv2.ellipse(person, (120, 105), (50, 72), 0, 0, 360, 1, -1)
    head = person.copy()
    cv2.fillPoly(person, [np.array([[50, 240], [75, 165], [165, 165], [190, 240]], np.int32)], 1)
    image[person > 0] = (40, 40, 45)
    image[head > 0] = (205, 160, 130)
    noisy = image.astype(int) + rng.integers(-6, 7, image.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8), person.astype(bool)


def test_the_matte_finds_the_person_and_always_keeps_the_face():
    image, truth = _portrait()
    matte = person_matte(image, BOX, LANDMARKS)
    assert matte.shape == truth.shape and matte.dtype == np.float32
    found = matte > 0.5
    iou = (found & truth).sum() / (found | truth).sum()
    assert iou > 0.85
    assert matte[:20, :20].max() < 0.05 and matte[:20, -20:].max() < 0.05  # the wall above the shoulders
    core = _face_core(LANDMARKS, truth.shape)
    assert core[100, 120] and not core[5, 5]
    assert (matte[core] == 1.0).all()


def test_a_region_without_room_for_a_matte_is_refused():
    image, _ = _portrait()
    with pytest.raises(ConfigError, match="face box"):
        person_matte(image[:6, :6], (0, 0, 2, 2), LANDMARKS / 40)


def test_a_scene_changes_the_background_and_leaves_the_face_alone():
    image, truth = _portrait()
    other, _ = _portrait(1)
    other[::7] = 255  # another photo's texture, unlike this wall
    matte = person_matte(image, BOX, LANDMARKS)
    core = _face_core(LANDMARKS, truth.shape)
    changed_wall = 0
    for seed in range(8):
        out = in_scene(image, matte, BOX[2] - BOX[0], other, np.random.default_rng(seed))
        assert np.array_equal(out[core], image[core])
        changed_wall += int(
            (np.abs(out.astype(int) - image.astype(int)).sum(2)[matte < 0.01] > 8).mean() > 0.2
        )
    assert changed_wall >= 6  # defocused stripes and textures both change the wall
    assert np.array_equal(composite(image, np.ones(truth.shape, np.float32), other), image)


def _sampler(tmp_path, scene: float) -> SelfBlendSampler:
    photos = []
    for k in range(2):
        image, _ = _portrait(k)
        path = tmp_path / f"p{k}.png"
        cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        photos.append(FacePhoto(path, f"person{k}", BOX, tuple(LANDMARKS.ravel())))
    record = Preprocessing(input_size=(96, 96))
    still = DegradeConfig(hflip=0, small_face=0, blur=0, noise=0, colour=0, grey=0, compress=0, scene=scene)
    return SelfBlendSampler(photos, record, still, fixed_seed=3)


def test_the_sampler_puts_faces_in_scenes_only_when_asked(tmp_path):
    plain, scenes = _sampler(tmp_path, 0.0), _sampler(tmp_path, 1.0)
    for index in range(4):  # real and fake of both photos
        a, mask_a = plain.sample(index)
        b, mask_b = scenes.sample(index)
        assert not np.array_equal(a, b)  # the wall behind changed
        assert a.shape == b.shape and mask_b.shape == mask_a.shape
    assert len(scenes._mattes) == 2 and not plain._mattes  # one matte a photo, none when off
    # the matte comes from the photo, never from its forgery: a fake cannot be told by its matte
    assert np.array_equal(scenes._matte(0), person_matte(scenes._photo(0), BOX, LANDMARKS))


def test_a_far_face_shrinks_photo_mask_and_box_together():
    image, truth = _portrait()
    alpha = _face_core(LANDMARKS, truth.shape).astype(np.float32)
    small, small_alpha, box = far_face(image, alpha, BOX, 40.0)
    assert box[2] - box[0] == 40 and small.shape[:2] == small_alpha.shape == (120, 120)
    # the box still frames the mask: its centre lies on the shrunk face
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    assert small_alpha[cy, cx] == pytest.approx(1.0) and small_alpha[2, 2] == 0
    assert abs(small_alpha.sum() - alpha.sum() / 4) < 0.02 * alpha.sum()  # half the side: a quarter the area
    same = far_face(image, alpha, BOX, 120.0)  # already smaller than that: untouched
    assert same[0] is image and same[2] == BOX


@pytest.mark.parametrize("side", EDGE_SIDES)
@pytest.mark.parametrize("inside", [1.0, 0.6])
def test_a_face_at_the_frame_edge_is_cut_with_its_mask_and_cropped_off_centre(side, inside):
    image, truth = _portrait()
    alpha = _face_core(LANDMARKS, truth.shape).astype(np.float32)
    cut, cut_alpha, box = edge_face(image, alpha, BOX, inside, side)
    assert cut.shape[:2] == cut_alpha.shape and cut.shape[:2] != image.shape[:2]
    x0, y0, x1, y1 = box
    assert 0 <= x0 < x1 <= cut.shape[1] and 0 <= y0 < y1 <= cut.shape[0]
    across = (x1 - x0) / (BOX[2] - BOX[0]) if side in ("left", "right") else (y1 - y0) / (BOX[3] - BOX[1])
    assert across == pytest.approx(inside, abs=0.03)  # that much of the face stays in the frame
    edge = {"left": (0, 0), "right": (2, cut.shape[1]), "top": (1, 0), "bottom": (3, cut.shape[0])}[side]
    assert box[edge[0]] == edge[1]  # and the face touches the edge
    # the picture and its mask move together: what is left is the same pixels at the same offsets
    dx, dy = BOX[2] - x1 if side == "left" else 0, BOX[3] - y1 if side == "top" else 0
    assert np.array_equal(cut, image[dy : dy + cut.shape[0], dx : dx + cut.shape[1]])
    assert np.array_equal(cut_alpha, alpha[dy : dy + cut.shape[0], dx : dx + cut.shape[1]])
    # the crop rule shifts its square into the frame: the face is no longer at the crop's centre
    crop = expand_box(box, cut.shape, 1.3)
    axis = 0 if side in ("left", "right") else 1
    centre = (crop[axis] + crop[axis + 2]) / 2 - (BOX[axis] + BOX[axis + 2]) / 2 + (dx, dy)[axis]
    assert abs(centre) > 0.1 * (BOX[2] - BOX[0])
    with pytest.raises(ConfigError, match="side"):
        edge_face(image, alpha, BOX, inside, "middle")


def _fine_detail(rgb: np.ndarray) -> float:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(float)
    return float(np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 1.0)).mean())


def test_the_sampler_crops_far_faces_as_inference_does(tmp_path):
    near = _sampler(tmp_path, 0.0)
    far = SelfBlendSampler(near.photos, near.record, replace(near.degrade, far_face=1.0), fixed_seed=3)
    detail = {"near": [], "far": []}
    for index in range(4):  # real and fake of both photos
        a, mask_a = near.sample(index)
        b, mask_b = far.sample(index)
        assert a.shape == b.shape == (96, 96, 3)
        detail["near"].append(_fine_detail(a))
        detail["far"].append(_fine_detail(b))
        if index % 2:  # the blend stays where it was: the box shrank with the photo
            assert ((mask_a > 0.1) & (mask_b > 0.1)).sum() > 0.6 * (mask_a > 0.1).sum()
    # the same faces, coarser: detail finer than a 28-70 px face does not survive
    assert np.mean(detail["far"]) < 0.8 * np.mean(detail["near"])


def test_an_occluder_covers_its_ellipse_with_the_filler_and_leaves_the_rest_untouched():
    image = np.full((100, 120, 3), 90, np.uint8)
    filler = np.zeros((10, 10, 3), np.uint8)
    filler[..., 0] = 250  # red everywhere: wherever it shows, red is high
    out, cover = occluded(image, filler, (60.0, 70.0), (20.0, 10.0), 0.0)
    assert (
        cover.shape == (100, 120) and cover[70, 60] == 1.0 and cover[70, 35] == 0.0 and cover[55, 60] == 0.0
    )
    assert 0 < cover[70, 40] < 1 or 0 < cover[70, 80] < 1  # an anti-aliased outline on the long axis
    assert np.array_equal(out[cover == 0], image[cover == 0])
    assert (out[cover == 1][:, 0] == 250).all() and (out[cover == 1][:, 1] == 0).all()
    assert abs(cover.sum() - np.pi * 20 * 10) < 0.05 * np.pi * 20 * 10  # the ellipse's area
    # an occluder past the frame's edge is clipped, not an error
    out, cover = occluded(image, filler, (115.0, 5.0), (20.0, 20.0), 30.0)
    assert out.shape == image.shape and cover[0, 119] == 1.0
