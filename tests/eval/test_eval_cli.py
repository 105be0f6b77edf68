"""`forgeloc eval` on a small synthetic evaluation: every table, for every model and dataset."""

from __future__ import annotations

import csv
import json

import torch

from localize.bundle import save_bundle
from localize.cli import main
from localize.models import build_model
from tests.train.conftest import write_pairs


def test_eval_writes_the_tables_for_each_model_and_dataset(tmp_path, capsys):
    data = tmp_path / "ds"
    assert (
        main(
            [
                "mask-gen",
                str(write_pairs(tmp_path / "pairs", 64)),
                "--out",
                str(data),
                "--crop",
                "none",
                "--size",
                "64",
            ]
        )
        == 0
    )
    torch.manual_seed(0)
    args = {"base_features": 4, "depth": 3}
    bundles = []
    for name, confidence in (("strict", 0.99), ("lenient", 0.01)):
        model = build_model("unet", **args).eval()
        bundles.append(
            save_bundle(
                tmp_path / name,
                model,
                "unet",
                args,
                input_size=(64, 64),
                thresholds={"confidence": confidence, "min_region_px": 10},
            )
        )
    out = tmp_path / "report"
    assert (
        main(
            [
                "eval",
                "--model",
                str(bundles[0]),
                "--model",
                str(bundles[1]),
                "--data",
                str(data),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    report = json.loads((out / "report.json").read_text())
    with (data / "manifest.csv").open() as handle:
        test_rows = [r for r in csv.DictReader(handle) if r["split"] == "test"]
    assert len(report["runs"]) == 2
    strict, lenient = report["runs"]
    assert strict["frames"] == len(test_rows) == strict["frame"]["count"]
    # a threshold of 0.99 flags nothing, 0.01 flags every frame: the confusion matrices say so
    assert strict["frame"]["confusion"][0][1] == strict["frame"]["confusion"][1][1] == 0
    assert lenient["frame"]["confusion"][0][0] == lenient["frame"]["confusion"][1][0] == 0
    assert strict["videos"] == len({(r["method"], r["video_id"]) for r in test_rows})
    assert {"dice_mean", "dice_dataset", "iou_mean"} <= set(strict["pixel"])
    md = (out / "report.md").read_text()
    assert (
        "## Segmentation (pixel)" in md
        and "## Videos, majority vote" in md
        and md.count("| strict (unet) |") == 4
    )


def test_classifiers_get_frame_and_video_tables_without_pixels(tmp_path):
    data = tmp_path / "ds"
    assert (
        main(["mask-gen", str(write_pairs(tmp_path / "pairs", 256)), "--out", str(data), "--crop", "none"])
        == 0
    )
    torch.manual_seed(0)
    path = save_bundle(
        tmp_path / "meso", build_model("meso4").eval(), "meso4", thresholds={"confidence": 0.0}
    )
    assert main(["eval", "--model", str(path), "--data", str(data), "--out", str(tmp_path / "r")]) == 0
    [run] = json.loads((tmp_path / "r" / "report.json").read_text())["runs"]
    assert "pixel" not in run
    scores = run["frame_scores"]["scores"]
    assert len(scores) == run["frames"] and all(0 < s < 1 for s in scores)
    assert run["frame"]["recall"] == 1.0  # every score is above a threshold of 0
