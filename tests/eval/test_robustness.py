"""Perturbations do what they say, the suite is checked before work starts, and re-evaluation under a
perturbation that changes nothing reproduces the clean figures."""

from __future__ import annotations

import numpy as np
import pytest

from eval.evaluate import evaluate
from eval.robustness import DEFAULT_SUITE, KINDS, Perturbation, parse_suite, robustness
from localize.common.errors import ConfigError
from localize.inference.bundle import load_bundle
from mask_gen.synth.sources import bundled_photos, fit_side


@pytest.fixture(scope="module")
def crops():
    photo = fit_side(bundled_photos()["astronaut"], 96)[:96, :96]
    masks = np.zeros((2, 96, 96), bool)
    masks[:, 30:60, 20:50] = True
    return np.stack([photo, photo[::-1].copy()]), masks


def error(a, b) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


def test_every_kind_keeps_shape_and_type_and_changes_the_image(crops):
    images, masks = crops
    for kind in KINDS:
        level = {"jpeg": 30, "h264": 40, "blur": 9, "noise": 10, "resize": 0.5, "rotate": 15}[kind]
        out, out_masks = Perturbation(kind, level)(images, masks)
        assert out.shape == images.shape and out.dtype == np.uint8 and out_masks.dtype == bool
        assert error(out, images) > 1.0, kind
        assert (out_masks == masks).all() == (kind != "rotate")


def test_stronger_levels_degrade_more(crops):
    images, masks = crops
    for kind, mild, strong in (("jpeg", 90, 30), ("h264", 23, 40), ("blur", 3, 15), ("noise", 5, 20)):
        assert error(Perturbation(kind, mild)(images, masks)[0], images) < error(
            Perturbation(kind, strong)(images, masks)[0], images
        ), kind


def test_rotation_turns_the_mask_with_the_image(crops):
    images, masks = crops
    painted = np.where(masks[..., None], 255, 0).astype(np.uint8).repeat(3, axis=-1)
    turned, turned_masks = Perturbation("rotate", 15)(painted, masks)
    agree = (turned[..., 0] > 127) == turned_masks
    assert agree.mean() > 0.99 and not (turned_masks == masks).all()


def test_noise_repeats_and_identity_levels_change_nothing(crops):
    images, masks = crops
    noise = Perturbation("noise", 10)
    assert (noise(images, masks)[0] == noise(images, masks)[0]).all()
    assert (Perturbation("rotate", 0)(images, masks)[0] == images).all()
    assert (Perturbation("resize", 1.0)(images, masks)[0] == images).all()


def test_suites_are_parsed_and_checked():
    assert parse_suite("default") == DEFAULT_SUITE and len(DEFAULT_SUITE) == 17
    assert parse_suite("jpeg:50, blur:9") == (Perturbation("jpeg", 50), Perturbation("blur", 9))
    for bad, words in (
        ("sharpen:3", "unknown perturbation 'sharpen'"),
        ("jpeg", "needs a number"),
        ("jpeg:0", "out of range"),
        ("blur:4", "out of range"),
        ("h264:60", "out of range"),
    ):
        with pytest.raises(ConfigError, match=words):
            parse_suite(bad)


def test_the_suite_starts_from_the_clean_figures(tiny_dataset, tiny_unet):
    bundle = load_bundle(tiny_unet(data=tiny_dataset))
    rows = robustness(bundle, tiny_dataset, "test", (Perturbation("rotate", 0), Perturbation("noise", 40)))
    clean = evaluate(bundle, tiny_dataset, "test")
    assert [r["perturbation"] for r in rows] == ["none", "rotate 0", "noise 40"]
    assert (
        rows[0]["frame_auc"] == clean["frame"]["roc_auc"]
        and rows[0]["dice"] == clean["pixel"]["dice_dataset"]
    )
    assert rows[1] == {**rows[0], "perturbation": "rotate 0", "kind": "rotate", "level": 0}
    assert rows[2]["dice"] != rows[0]["dice"]


def test_strong_blur_lowers_the_dice_of_a_model_that_found_sharp_blends(bundle_path, pairs, tmp_path):
    """The tiny U-Net fitted to self-blended 64 px pairs finds their masks; a 15 px blur wipes out the
    blend edges it relies on, so its pixel Dice falls, while a no-op rotation leaves it as it was."""
    from localize.media.images import write_png
    from mask_gen.manifest import write_manifest

    rows = []
    for number, pair in enumerate(pairs):
        for label, image, mask in ((1, pair.fake, pair.mask), (0, pair.real, np.zeros_like(pair.mask))):
            sample = f"s{number}-{label}"
            write_png(tmp_path / "images" / f"{sample}.png", image)
            write_png(tmp_path / "masks" / f"{sample}.png", mask)
            rows.append(
                {"id": sample, "split": "test", "label": label, "video_id": f"v{number}-{label}", "status": "ok",
                 "image": f"images/{sample}.png", "mask": f"masks/{sample}.png", "mask_area": int(mask.sum())}
            )  # fmt: skip
    write_manifest(tmp_path, rows)
    bundle = load_bundle(bundle_path)
    clean, same, blurred = robustness(
        bundle, tmp_path, "test", (Perturbation("rotate", 0), Perturbation("blur", 15))
    )
    assert clean["dice"] > 0.5  # it did find the blends
    assert same["dice"] == clean["dice"]
    assert blurred["dice"] < clean["dice"] - 0.1


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_registered_perturbation_keeps_the_contract(kind, pairs):
    """uint8 images and bool masks in and out at the same shapes, the same output for the same input
    (runs repeat), and a real change at a strong level (albumentations' per-transform tests)."""
    strong = {"jpeg": 20, "h264": 45, "blur": 15, "noise": 30, "resize": 0.25, "rotate": 30}[kind]
    images = np.stack([pairs[1].fake, pairs[0].real])
    masks = np.stack([pairs[1].mask, np.zeros_like(pairs[1].mask)])
    out, moved = Perturbation(kind, strong)(images, masks)
    again, _ = Perturbation(kind, strong)(images, masks)
    assert out.shape == images.shape and out.dtype == np.uint8
    assert moved.shape == masks.shape and moved.dtype == bool
    assert np.array_equal(out, again)
    assert np.abs(out.astype(int) - images.astype(int)).mean() > 1.0
    assert (moved[1] == 0).all()  # an empty mask stays empty
