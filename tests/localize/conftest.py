"""A tiny real U-Net, fitted in seconds to synthetic 64x64 pairs, as a bundle for inference tests."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from localize.bundle import save_bundle
from localize.models import build_model
from mask_gen.synth.manipulations import make_image_pair
from mask_gen.synth.sources import bundled_photos, fit_side
from train.losses import bce_minus_log_dice

ARGS = {"base_features": 8, "depth": 3}


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    still = fit_side(bundled_photos()["astronaut"], 64)
    return [make_image_pair(still, rng, "self_blend") for _ in range(6)]


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory, pairs):
    """A tiny U-Net fitted to these pairs (fakes with masks, the real with an empty mask)."""
    torch.manual_seed(0)
    images = [p.fake for p in pairs] + [pairs[0].real]
    masks = [p.mask for p in pairs] + [np.zeros_like(pairs[0].mask)]
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
    y = torch.from_numpy(np.stack(masks))[:, None].float()
    model = build_model("unet", **ARGS)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(200):
        optimizer.zero_grad()
        bce_minus_log_dice(model(x), y).backward()
        optimizer.step()
    folder = tmp_path_factory.mktemp("bundle")
    return save_bundle(
        folder / "tiny", model.eval(), "unet", ARGS, input_size=(64, 64), thresholds={"min_region_px": 20}
    )
