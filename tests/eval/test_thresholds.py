"""Threshold search picks the pair that separates the frames, and the bundle then uses it."""

from __future__ import annotations

import numpy as np

from eval.thresholds import search, search_mask_threshold, write_thresholds
from localize.inference.bundle import load_bundle, save_bundle
from localize.models import build_model


def maps():
    rng = np.random.default_rng(0)
    fakes, reals = [], []
    for _ in range(5):
        fake = rng.uniform(0, 0.2, (64, 64)).astype(np.float32)
        fake[10:25, 10:20] = 0.7  # 150 px, moderately confident
        real = rng.uniform(0, 0.2, (64, 64)).astype(np.float32)
        real[40:46, 40:50] = 0.97  # 60 px, very confident: noise a min-region rule must drop
        fakes.append(fake)
        reals.append(real)
    return fakes + reals, [1] * 5 + [0] * 5


def test_search_finds_the_separating_pair_and_prefers_the_stricter():
    prob, labels = maps()
    choice = search(prob, labels)
    assert choice.f1 == 1.0
    assert (choice.threshold, choice.min_region_px) == (0.6, 100)
    assert choice.grid[(0.95, 25)] < 1.0  # only the real frames' blobs survive: F1 0
    assert choice.grid[(0.5, 25)] < 1.0  # real blobs count too: precision drops


def test_the_mask_threshold_is_the_one_whose_grown_masks_match_the_flagged_fakes():
    prob, truth = np.zeros((64, 64), np.float32), np.zeros((64, 64), bool)
    truth[10:40, 10:40] = True  # the edit
    prob[10:40, 10:40] = 0.45  # the model's lukewarm extent of it
    prob[12:38, 12:38] = 0.65
    prob[20:32, 20:32] = 0.99  # its confident core: what the strict frame rule sees
    missed = np.full((64, 64), 0.5, np.float32)  # a fake the frame rule misses: it counts for none
    real = np.zeros((64, 64), np.float32)
    choice = search_mask_threshold([prob, missed, real], [truth, truth, truth & False], 0.98, 100)
    assert choice.frames == 1 and choice.mask_threshold == 0.4 and choice.dice == 1.0
    assert choice.grid[0.98] < 0.3 < choice.grid[0.6] < 1.0  # the core alone (Dice 0.28), then most
    assert choice.grid[0.3] == 1.0 and max(choice.grid) == 0.98  # ties go higher; none above the frame's


def test_chosen_thresholds_go_into_the_bundle(tmp_path):
    path = save_bundle(
        tmp_path / "b",
        build_model("unet", base_features=4, depth=3),
        "unet",
        {"base_features": 4, "depth": 3},
    )
    prob, labels = maps()
    write_thresholds(path, search(prob, labels), "val", "data/x")
    bundle = load_bundle(path)
    assert bundle.thresholds["threshold"] == 0.6 and bundle.thresholds["min_region_px"] == 100
    assert bundle.meta["metrics"]["val_frame_f1_at_thresholds"] == 1.0


def test_thresholds_command_searches_the_split_and_stores_the_choice(tmp_path, capsys):
    import json
    import re

    import torch

    from localize.cli.main import main
    from tests.conftest import write_pairs

    csv_path = write_pairs(tmp_path / "pairs", 64)
    data = tmp_path / "ds"
    assert main(["mask-gen", str(csv_path), "--out", str(data), "--crop", "none", "--size", "64"]) == 0
    torch.manual_seed(0)
    model = build_model("unet", base_features=4, depth=3).eval()
    path = save_bundle(tmp_path / "b", model, "unet", {"base_features": 4, "depth": 3}, input_size=(64, 64))
    capsys.readouterr()
    assert main(["thresholds", str(path), "--data", str(data)]) == 0
    printed = capsys.readouterr().out
    threshold, region = re.search(r"best: threshold ([0-9.]+), min region (\d+) px", printed).groups()
    stored = json.loads(path.read_text())["thresholds"]
    assert (stored["threshold"], stored["min_region_px"]) == (float(threshold), int(region))
    assert main(["thresholds", str(path), "--data", str(tmp_path / "nowhere")]) == 1
    capsys.readouterr()
    before = path.read_text()
    for cap in ("2", "nan"):  # "2" meant 2 %: refused before the model runs, the bundle untouched
        assert main(["thresholds", str(path), "--data", str(data), "--max-real-flagged", cap]) == 2
        assert "is a share in [0, 1]" in capsys.readouterr().err and path.read_text() == before


def test_a_cap_on_real_frames_flagged_trades_recall_for_fewer_false_alarms():
    """Three fakes are as faint (0.8) as one real's blob, two are strong (0.95). Plain F1 takes a loose
    pair (all fakes, one false alarm); capping real frames flagged at 0 takes a strict one."""
    rng = np.random.default_rng(1)
    prob, labels = [], []
    for level, label in [(0.8, 1)] * 3 + [(0.95, 1)] * 2 + [(0.8, 0)] + [(0.0, 0)] * 4:
        image = rng.uniform(0, 0.2, (64, 64)).astype(np.float32)
        image[10:25, 10:20] = max(level, 0.1)
        prob.append(image)
        labels.append(label)
    loose = search(prob, labels)
    strict = search(prob, labels, max_real_flagged=0.0)
    assert loose.real_flagged == 0.2 and strict.real_flagged == 0.0
    assert strict.threshold >= 0.8 > loose.threshold and strict.f1 < loose.f1


def test_a_capped_search_holds_the_cap_in_each_group_of_real_frames():
    """Ten real crops of one source stay clean; of four real video frames one carries a faint blob
    (0.8) like the faint fakes'. Over all fourteen reals one false alarm is 7 %, inside a 10 % cap, so
    the loose pair wins; held per group, the video's 25 % breaks the cap and a strict pair wins."""
    rng = np.random.default_rng(2)
    prob, labels, groups = [], [], []
    rows = [(0.8, 1, "fakes")] * 3 + [(0.95, 1, "fakes")] * 2 + [(0.0, 0, "crops")] * 10
    rows += [(0.8, 0, "video")] + [(0.0, 0, "video")] * 3
    for level, label, group in rows:
        image = rng.uniform(0, 0.2, (64, 64)).astype(np.float32)
        image[10:25, 10:20] = max(level, 0.1)
        prob.append(image)
        labels.append(label)
        groups.append(group)
    pooled = search(prob, labels, max_real_flagged=0.1)
    grouped = search(prob, labels, max_real_flagged=0.1, groups=groups)
    assert pooled.threshold < 0.8 and pooled.real_flagged == 1 / 14
    assert grouped.threshold >= 0.8 and grouped.real_flagged == 0.0
    # the chosen pair's shares, as the benchmark prints them: each group's reals, and the fakes found
    assert grouped.flagged_by_group == {"crops": 0.0, "video": 0.0} and grouped.fakes_found == 0.4
    assert pooled.flagged_by_group == {"": 1 / 14} and pooled.fakes_found == 1.0
