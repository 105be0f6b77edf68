"""Shared fixtures: the external data folder (optional) and small synthetic datasets."""

from __future__ import annotations

from pathlib import Path

import pytest

from mask_gen.synth.layouts import SynthConfig, write_synthetic
from mask_gen.synth.video import MotionConfig

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "external"


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
