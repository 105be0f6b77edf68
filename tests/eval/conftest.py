"""Tiny real U-Net bundles for evaluation tests (random weights, 64 px, fast on a CPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from eval.predict import outputs
from localize.inference.bundle import load_bundle, save_bundle
from localize.models import build_model
from mask_gen.manifest import split_rows


@pytest.fixture
def tiny_unet(tmp_path):
    """make(name, confidence, min_region_px, seed, data) -> the json path of a 4-feature, depth-3 U-Net
    bundle. A random U-Net's P(fake) barely varies, so with `data` the confidence threshold is put at the
    median of its P(fake) on that dataset's test split: about half of every map is above it."""

    def make(name="tiny", confidence=0.5, min_region_px=10, seed=0, data=None):
        torch.manual_seed(seed)
        args = {"base_features": 4, "depth": 3}
        model = build_model("unet", **args).eval()
        path = save_bundle(tmp_path / name, model, "unet", args, input_size=(64, 64))
        if data is not None:
            maps = [m for m, _ in outputs(load_bundle(path), data, split_rows(data, "test"))]
            confidence = float(np.median(maps))
        thresholds = {"threshold": confidence, "min_region_px": min_region_px}
        return save_bundle(tmp_path / name, model, "unet", args, input_size=(64, 64), thresholds=thresholds)

    return make
