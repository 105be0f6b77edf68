"""A tiny mask-gen dataset of synthetic image pairs with a known split of each source."""

from __future__ import annotations

import numpy as np
import pytest

from localize.cli import main
from localize.images import write_png
from mask_gen.synth.manipulations import MANIPULATIONS, make_image_pair
from mask_gen.synth.sources import bundled_photos, fit_side

SPLITS = ["train", "val", "test", "train", "train", "train", "val", "test"]


def write_pairs(folder, size: int, count: int = len(SPLITS), flip: bool = False):
    """`count` synthetic image pairs and a generic CSV naming their splits."""
    folder.mkdir(parents=True, exist_ok=True)
    photos = list(bundled_photos().values())
    rng = np.random.default_rng(0)
    lines = ["fake,real,label,split"]
    for i in range(count):
        still = fit_side(photos[i % len(photos)], size)
        if flip or i >= len(photos):
            still = np.ascontiguousarray(still[::-1])
        pair = make_image_pair(still, rng, list(MANIPULATIONS)[i % 4], photos[(i + 1) % len(photos)])
        write_png(folder / f"r{i}.png", pair.real)
        write_png(folder / f"f{i}.png", pair.fake)
        lines.append(f"f{i}.png,r{i}.png,1,{SPLITS[i % len(SPLITS)]}")
    (folder / "pairs.csv").write_text("\n".join(lines) + "\n")
    return folder / "pairs.csv"


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    """mask-gen output of 8 synthetic 64x64 pairs (whole-frame crops), every split present."""
    root = tmp_path_factory.mktemp("tiny")
    csv = write_pairs(root / "pairs", 64)
    assert main(["mask-gen", str(csv), "--out", str(root / "ds"), "--crop", "none", "--size", "64"]) == 0
    return root / "ds"
