"""Shared fixtures: the external data folder (optional) and small synthetic datasets."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from localize.cli.main import main
from localize.inference.bundle import save_bundle
from localize.media.images import write_png
from localize.models import build_model
from mask_gen.synth.layouts import SynthConfig, write_synthetic
from mask_gen.synth.manipulations import MANIPULATIONS, make_image_pair
from mask_gen.synth.sources import bundled_photos, fit_side
from mask_gen.synth.video import MotionConfig

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "external"
# a second copy of YuNet's file, for the tests that need one beside the installed package's
YUNET = SHARED.parent / "detectors" / "yunet" / "yunet_s_640_640.onnx"

# the face detector's file is the installed package's, as on a user's machine (nothing downloads, ever)
os.environ.pop("FORGELOC_FACE_MODEL", None)
# the cache (the default model's ONNX export) lives in a folder of this run, never the user's ~/.cache
_HOME = tempfile.mkdtemp(prefix="forgeloc-home-")
atexit.register(shutil.rmtree, _HOME, True)
os.environ["FORGELOC_HOME"] = _HOME


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared/data/external, or skip when this checkout has none."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data/external is not present")
    return SHARED


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> dict[str, Path]:
    """Every layout, 3 sources, 10-frame clips at CRF 23 (and 40 for FF++)."""
    root = tmp_path_factory.mktemp("synthetic")
    config = SynthConfig(videos=3, motion=MotionConfig(frames=10), crfs=(23, 40), seed=3)
    return write_synthetic(root, ["ffpp", "dfdc", "celebdf", "generic"], config)


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


# A tiny real U-Net, fitted in seconds to synthetic 64x64 pairs, as a bundle for inference tests.
TINY_UNET_ARGS = {"base_features": 8, "depth": 3}


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    still = fit_side(bundled_photos()["astronaut"], 64)
    return [make_image_pair(still, rng, "self_blend") for _ in range(6)]


@pytest.fixture
def cut_clip(tmp_path, pairs) -> tuple[Path, Path]:
    """(whole, cut): a 40-frame MP4 of the pairs' fakes with its index first (moov first, as streamed
    files are), and the same file cut off after three quarters of its bytes (its header still says 40)."""
    import av

    path = tmp_path / "whole.mp4"
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=25)
        stream.height, stream.width = pairs[0].real.shape[:2]
        stream.pix_fmt = "yuv420p"
        for i in range(40):
            frame = np.ascontiguousarray(np.roll(pairs[i % 2].fake, i, axis=1))
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size * 3 // 4])  # the first frames whole
    return path, cut


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory, pairs):
    """A tiny U-Net fitted to these pairs (fakes with masks, the real with an empty mask)."""
    torch.manual_seed(0)
    images = [p.fake for p in pairs] + [pairs[0].real]
    masks = [p.mask for p in pairs] + [np.zeros_like(pairs[0].mask)]
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
    y = torch.from_numpy(np.stack(masks))[:, None].float()
    model = build_model("unet", **TINY_UNET_ARGS)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        optimizer.zero_grad()
        # plain BCE: localize's tests need nothing of train/
        torch.nn.functional.binary_cross_entropy_with_logits(model(x), y).backward()
        optimizer.step()
    folder = tmp_path_factory.mktemp("bundle")
    return save_bundle(
        folder / "tiny",
        model.eval(),
        "unet",
        TINY_UNET_ARGS,
        input_size=(64, 64),
        thresholds={"min_region_px": 20},
    )
