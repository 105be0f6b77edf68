"""Adversarial training (seed 000's defence): the chosen fakes of a batch are attacked towards "real"
within eps, reals and batch-norm statistics are left alone, and it runs through `forgeloc train`."""

from __future__ import annotations

import pytest
import torch

from localize.cli.main import main
from localize.common.errors import ConfigError
from tests.train.test_training import fit_args, metrics
from train.modules import ClassifierModule, SegmentationModule


def batch(module):
    torch.manual_seed(0)
    pixels = torch.rand(6, 3, 64, 64)
    return (pixels - module.mean) / module.std, torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 1.0])


def test_harden_attacks_only_fakes_within_eps():
    module = SegmentationModule(
        "smp:Unet:resnet18", adversarial_eps=8, adversarial_steps=3, adversarial_fraction=1
    )
    module.train()
    x, label = batch(module)
    stats = [b.clone() for b in module.net.buffers()]
    hardened = module.harden(x, label)
    moved = ((hardened - x) * module.std).abs().amax(dim=(1, 2, 3))  # in pixel units
    assert (moved[label == 0] == 0).all()
    assert (moved[label == 1] > 0).all() and (moved <= 8 / 255 + 1e-5).all()
    assert module.net.training and all(
        torch.equal(a, b) for a, b in zip(stats, module.net.buffers(), strict=True)
    )
    with torch.no_grad():
        module.eval()
        before, after = torch.sigmoid(module(x)), torch.sigmoid(module(hardened))
    fakes = label == 1
    assert after[fakes].mean() < before[fakes].mean()  # pushed towards "real"


def test_off_by_default_and_a_fraction_of_zero_changes_nothing():
    for module in (
        ClassifierModule("meso4"),
        ClassifierModule("meso4", adversarial_eps=4, adversarial_fraction=0),
    ):
        x, label = batch(module)
        assert torch.equal(module.harden(x, label), x)


def test_bad_settings_are_refused():
    for kwargs in ({"adversarial_eps": -1}, {"adversarial_steps": 0}, {"adversarial_fraction": 2}):
        with pytest.raises(ConfigError, match="adversarial training needs"):
            SegmentationModule("unet_v1", **kwargs)


def test_adversarial_training_runs_through_the_cli(tiny_dataset, tmp_path):
    root = tmp_path / "run"
    extra = [
        "--trainer.max_epochs",
        "1",
        "--model.init_args.adversarial_eps",
        "4",
        "--model.init_args.adversarial_steps",
        "2",
    ]
    assert main(fit_args(tiny_dataset, root, *extra)) == 0
    assert "val_dice" in metrics(root)[-1]
