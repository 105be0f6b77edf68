"""forgeloc interpolate: bundles on the line between two bundles' weights (tiny real U-Nets)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from localize.cli.main import main
from localize.common.errors import ConfigError
from localize.inference.bundle import load_bundle, save_bundle
from localize.inference.preprocess import Preprocessing
from localize.models import build_model
from train.export import record_flip_average
from train.interpolate import interpolate_states

ARGS = {"base_features": 4, "depth": 2}


def _bundle(path, seed, thresholds=None, args=ARGS, margin=1.3):
    torch.manual_seed(seed)
    model = build_model("unet", **args).eval()
    for module in model.modules():  # BatchNorm statistics that differ between the two models
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
            module.num_batches_tracked.fill_(seed + 10)
    record = Preprocessing(input_size=(32, 32), mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), margin=margin)
    return save_bundle(path, model, "unet", args, thresholds=thresholds, preprocessing=record)


def test_states_on_the_line_between_two_models():
    start = {"w": torch.tensor([0.0, 2.0]), "steps": torch.tensor(3)}
    end = {"w": torch.tensor([4.0, -2.0]), "steps": torch.tensor(7)}
    assert torch.equal(interpolate_states(start, end, 0.0)["w"], start["w"])
    assert torch.equal(interpolate_states(start, end, 1.0)["w"], end["w"])
    quarter = interpolate_states(start, end, 0.25)
    assert torch.allclose(quarter["w"], torch.tensor([1.0, 1.0]))
    assert quarter["steps"].item() == 7  # counters are not averaged


@pytest.mark.parametrize(
    ("end", "alpha", "says"),
    [
        ({"w": torch.zeros(2)}, 1.5, "alpha must be in [0, 1]"),
        ({"w": torch.zeros(2)}, -0.1, "alpha must be in [0, 1]"),
        ({"v": torch.zeros(2)}, 0.5, "different weights: v, w"),
        ({"w": torch.zeros(3)}, 0.5, "differ in shape: w"),
    ],
)
def test_states_that_do_not_match_are_refused(end, alpha, says):
    with pytest.raises(ConfigError, match=says.replace("[", r"\[").replace("]", r"\]")):
        interpolate_states({"w": torch.ones(2)}, end, alpha)


def test_the_cli_writes_the_midpoint_bundle_with_its_record(tmp_path, capsys):
    first = _bundle(tmp_path / "a", seed=0)
    second = _bundle(tmp_path / "b", seed=1, thresholds={"threshold": 0.8, "min_region_px": 25})
    out = tmp_path / "mid"
    assert main(["interpolate", str(first), str(second), "--alpha", "0.25", "--out", str(out)]) == 0
    assert "search its own with `forgeloc thresholds" in capsys.readouterr().out
    a, b, mid = (load_bundle(p) for p in (first, second, out.with_suffix(".json")))
    sa, sb, sm = (x.model.state_dict() for x in (a, b, mid))
    for key in sm:
        if sm[key].is_floating_point():
            assert torch.allclose(sm[key], 0.75 * sa[key] + 0.25 * sb[key], atol=1e-6), key
        else:
            assert torch.equal(sm[key], sb[key]), key
    assert mid.thresholds["threshold"] == 0.8 and mid.thresholds["min_region_px"] == 25
    assert mid.preprocessing == b.preprocessing
    record = json.loads(out.with_suffix(".json").read_text())["data"]["weight_interpolation"]
    assert record["alpha"] == 0.25 and record["from"] == "a.json" and record["to"] == "b.json"
    crops = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    assert (
        main(["interpolate", str(first), str(second), "--alpha", "0", "--out", str(tmp_path / "zero")]) == 0
    )
    assert np.array_equal(load_bundle(tmp_path / "zero.json").predict(crops), a.predict(crops))


def test_two_flip_averaged_bundles_give_a_flip_averaged_one(tmp_path):
    first, second = _bundle(tmp_path / "a", seed=0), _bundle(tmp_path / "b", seed=1)
    for path in (first, second):
        record_flip_average(path)
    out = tmp_path / "mid"
    assert main(["interpolate", str(first), str(second), "--alpha", "0.5", "--out", str(out)]) == 0
    assert load_bundle(out.with_suffix(".json")).flip_average


def test_bundles_of_different_models_or_crops_are_refused_in_one_line(tmp_path, capsys):
    first = _bundle(tmp_path / "a", seed=0)
    wider = _bundle(tmp_path / "wide", seed=1, args={"base_features": 8, "depth": 2})
    other_crop = _bundle(tmp_path / "crop", seed=1, margin=1.6)
    flipped = _bundle(tmp_path / "flip", seed=1)
    record_flip_average(flipped)
    for second, says in (
        (wider, "arguments differs"),
        (other_crop, "preprocessing differs"),
        (flipped, "test_time differs"),
    ):
        assert (
            main(["interpolate", str(first), str(second), "--alpha", "0.5", "--out", str(tmp_path / "x")])
            == 1
        )
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and says in err and second.name in err
    assert not (tmp_path / "x.json").exists()
