"""FGSM and PGD stay inside their L-inf ball and push P(fake) down; the suite's success rate is seed
000's (attacked fakes then called real), for white-box and transferred attacks, before and after
re-compression; bad settings are refused before any attack runs."""

from __future__ import annotations

import pytest
import torch

from eval.adversarial import AttackConfig, attack_table, craft, fake_crops, forward_of
from eval.evaluate import frame_flag
from eval.predict import predict
from localize.common.errors import ConfigError
from localize.inference.bundle import load_bundle, save_bundle
from localize.models import build_model
from localize.models.attacks import fgsm, pgd, realness_loss


@pytest.fixture
def setting(tiny_dataset, tiny_unet):
    bundle = load_bundle(tiny_unet(data=tiny_dataset))
    images = torch.from_numpy(fake_crops(tiny_dataset, "test", 4)).permute(0, 3, 1, 2).float() / 255.0
    return bundle, images, forward_of(bundle, (64, 64))


def test_attacks_stay_in_the_ball_and_lower_p_fake(setting):
    bundle, images, forward = setting
    eps = 4 / 255
    torch.manual_seed(0)
    noise = (images + eps * torch.randn_like(images).sign()).clamp(0, 1)
    losses = {"clean": images, "noise": noise}
    losses["fgsm"] = fgsm(forward, images, eps)
    losses["pgd"] = pgd(forward, images, eps, steps=5)
    for name in ("fgsm", "pgd"):
        x = losses[name]
        assert (x - images).abs().max() <= eps + 1e-6 and x.min() >= 0 and x.max() <= 1, name
    moved = (losses["fgsm"] - images).abs()
    inside = (images > eps) & (images < 1 - eps)
    full_step = (moved[inside] - eps).abs() < 1e-6
    # FGSM: one full step, or none where the gradient is exactly 0 (dead ReLUs)
    assert ((moved[inside] < 1e-6) | full_step).all() and full_step.float().mean() > 0.5
    with torch.no_grad():
        loss = {name: float(realness_loss(forward(x))) for name, x in losses.items()}
    assert loss["pgd"] < loss["fgsm"] < loss["clean"] and loss["fgsm"] < loss["noise"]
    assert not any(p.grad is not None for p in bundle.model.parameters())  # the model is left untouched


def test_success_rates_white_box_and_transfer(tiny_dataset, tmp_path):
    torch.manual_seed(0)
    model = build_model("meso4").eval()  # 256 px input: the 64 px crops are resized inside the attack
    fakes = fake_crops(tiny_dataset, "test", 3)
    # the threshold just below the lowest clean fake score: every fake is caught before the attack
    floor = float(predict(load_bundle(save_bundle(tmp_path / "probe", model, "meso4")), fakes).min())
    target = load_bundle(save_bundle(tmp_path / "t", model, "meso4", thresholds={"threshold": floor - 1e-5}))
    torch.manual_seed(1)
    surrogate = load_bundle(save_bundle(tmp_path / "s", build_model("meso4").eval(), "meso4"))
    config = AttackConfig(eps=(32.0,), pgd_steps=5, frames=3, recompress=("none", "jpeg90"))
    rows = attack_table(target, tiny_dataset, "test", config, {"white-box": target, "transfer": surrogate})
    assert len(rows) == 2 * 2 * 1 * 2 and {r["frames"] for r in rows} == {2}  # the test split has 2 fakes
    assert all(r["clean_real_rate"] == 0.0 for r in rows if r["recompress"] == "none")
    by_key = {(r["source"], r["attack"], r["recompress"]): r["success_rate"] for r in rows}
    assert by_key[("white-box", "pgd", "none")] == 1.0
    # the table's rate is the share of crafted crops the target's rule calls real
    crafted = craft(surrogate, fakes, "fgsm", 32.0, 1)
    called_real = [not frame_flag(target, s) for s in predict(target, crafted)]
    assert by_key[("transfer", "fgsm", "none")] == sum(called_real) / len(called_real)


def test_bad_settings_are_refused_up_front():
    for kwargs, words in (
        ({"attacks": ("cw",)}, "unknown attack"),
        ({"eps": (0.0,)}, "eps must be"),
        ({"pgd_steps": 0}, "at least 1"),
        ({"recompress": ("none", "webp80")}, "unknown condition 'webp80'"),
        ({"recompress": ("crf60",)}, "unknown condition 'crf60'"),
    ):
        with pytest.raises(ConfigError, match=words):
            AttackConfig(**kwargs)


def test_the_attack_aims_at_the_flip_averaged_maps_a_bundle_runs(setting):
    bundle, images, forward = setting
    uint8 = (images * 255).round().byte().permute(0, 2, 3, 1).numpy()
    with torch.no_grad():
        plain = torch.sigmoid(forward(images))[:, 0].numpy()
        bundle.meta["test_time"] = {"hflip": True}
        maps = torch.sigmoid(forward_of(bundle, (64, 64))(images))[:, 0].numpy()
    assert abs(maps - predict(bundle, uint8)).max() < 1e-4  # what the bundle's predict path gives
    assert abs(maps - plain).max() > 1e-3
