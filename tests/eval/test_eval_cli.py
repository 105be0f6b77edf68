"""`forgeloc eval` on a small synthetic evaluation: every table, for every model and dataset."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil

import pytest
import torch

from localize.cli.main import main
from localize.inference.bundle import load_bundle, save_bundle
from localize.models import build_model
from tests.browser import needs_chromium, render
from tests.conftest import write_pairs


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
                thresholds={"threshold": confidence, "min_region_px": 10},
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
        and md.count("| strict (unet) |") == 9  # 4 metric and 3 confusion tables, thresholds, a difference
    )
    # the second model against the first on the same frames, with the bootstrap interval of the difference
    (compared,) = report["comparisons"]
    assert (compared["model"], compared["reference"]) == ("lenient (unet)", "strict (unet)")
    difference = lenient["frame"]["roc_auc"] - strict["frame"]["roc_auc"]
    assert compared["difference"] == pytest.approx(difference)
    assert compared["ci"][0] <= difference <= compared["ci"][1]
    low, high = strict["frame"]["roc_auc_ci"]
    assert low <= strict["frame"]["roc_auc"] <= high and high - low > 0
    assert f"| {data} | lenient (unet) | strict (unet) | {difference:+.3f} |" in md
    assert "| strict (unet) | 0.99 | 10 | 0.5 |" in md
    digest = hashlib.sha256((data / "manifest.csv").read_bytes()).hexdigest()
    assert f"| dataset | {data / 'manifest.csv'} | {digest} |" in md
    assert f"| model | {bundles[0]} | {load_bundle(bundles[0]).meta['weights']['sha256']} |" in md
    page = (out / "report.html").read_text()
    # the same tables in the page, every plot inlined, nothing fetched from elsewhere
    assert page.count("<td>strict (unet)</td>") == 9  # and the paired differences' reference
    assert page.count('src="data:image/png;base64,') == len(list(out.glob("*.png"))) == 2
    assert "http" not in page


def test_classifiers_get_frame_and_video_tables_without_pixels(tmp_path):
    data = tmp_path / "ds"
    assert (
        main(["mask-gen", str(write_pairs(tmp_path / "pairs", 256)), "--out", str(data), "--crop", "none"])
        == 0
    )
    torch.manual_seed(0)
    path = save_bundle(tmp_path / "meso", build_model("meso4").eval(), "meso4", thresholds={"threshold": 0.0})
    assert main(["eval", "--model", str(path), "--data", str(data), "--out", str(tmp_path / "r")]) == 0
    [run] = json.loads((tmp_path / "r" / "report.json").read_text())["runs"]
    assert "pixel" not in run
    assert "## Segmentation" not in (tmp_path / "r" / "report.md").read_text()
    scores = run["frame_scores"]["scores"]
    assert len(scores) == run["frames"] and all(0 < s < 1 for s in scores)
    assert run["frame"]["recall"] == 1.0  # every score is above a threshold of 0


def test_robustness_and_attacks_add_their_sections(tiny_dataset, tiny_unet, tmp_path, capsys):
    target = tiny_unet("target", data=tiny_dataset)
    surrogate = tiny_unet("surrogate", seed=1, data=tiny_dataset)
    out = tmp_path / "report"
    args = ["eval", "--model", str(target), "--data", str(tiny_dataset), "--out", str(out)]
    attack = [
        "--attack",
        "--surrogate",
        str(surrogate),
        "--eps",
        "4,8",
        "--attack-frames",
        "2",
        "--pgd-steps",
        "2",
    ]
    assert main([*args, "--robustness", "jpeg:50,rotate:10", *attack, "--recompress", "none,crf23"]) == 0
    report = json.loads((out / "report.json").read_text())
    [robust] = report["robustness"]
    assert [r["perturbation"] for r in robust["rows"]] == ["none", "jpeg 50", "rotate 10"]
    [attacked] = report["adversarial"]
    assert {r["source"] for r in attacked["rows"]} == {"white-box", "transfer from surrogate (unet)"}
    assert len(attacked["rows"]) == 2 * 2 * 2 * 2  # sources x attacks x eps x re-compressions
    md = (out / "report.md").read_text()
    assert (
        "## Robustness" in md
        and "| rotate 10 |" in md
        and "## Adversarial" in md
        and "| 8/255 | crf23 |" in md
    )
    # the summary row: the strongest attack at each radius, next to the clean rate
    rows = [r for r in attacked["rows"] if r["source"] == "white-box" and r["recompress"] == "none"]
    best = [max(r["success_rate"] for r in rows if r["eps"] == e) for e in (4.0, 8.0)]
    clean = rows[0]["clean_real_rate"]
    assert f"| white-box | none | {clean:.3f} | {best[0]:.3f} | {best[1]:.3f} |" in md
    page = (out / "report.html").read_text()
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["adversarial_1.png", "pr_1.png", "robustness_1.png", "roc_1.png"]
    assert page.count('src="data:image/png;base64,') == 4 and "<td>rotate 10</td>" in page
    assert "attacks: highest success rate" in capsys.readouterr().out


def test_bad_suites_and_missing_arguments_stop_before_any_work(tiny_dataset, tiny_unet, tmp_path, capsys):
    bundle = str(tiny_unet())
    base = ["eval", "--model", bundle, "--data", str(tiny_dataset), "--out", str(tmp_path / "r")]
    assert main([*base, "--robustness", "sharpen:3"]) == 2
    assert main([*base, "--attack", "--eps", "4,big"]) == 2
    assert main(["eval", "--data", str(tiny_dataset), "--out", str(tmp_path / "r")]) == 2
    assert main([*base, "--recompress", "jpeg:50", "--pgd-steps", "5"]) == 2  # ignored until they said so
    err = capsys.readouterr().err
    assert "unknown perturbation 'sharpen'" in err and "--eps takes numbers" in err and "--model" in err
    assert "--pgd-steps, --recompress only apply with --attack or --surrogate" in err
    assert not (tmp_path / "r").exists()


def test_a_broken_dataset_fails_alone_and_the_rest_is_reported(tiny_dataset, tiny_unet, tmp_path, capsys):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_dataset, broken)
    with (broken / "manifest.csv").open() as handle:
        victim = next(r for r in csv.DictReader(handle) if r["split"] == "test")
    (broken / victim["image"]).write_bytes(b"not a png")
    bundle = str(tiny_unet())
    out = tmp_path / "r"
    args = ["eval", "--model", bundle, "--data", str(broken), "--data", str(tiny_dataset), "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"failed: tiny (unet) on {broken}:" in err and victim["image"].split("/")[-1] in err
    report = json.loads((out / "report.json").read_text())
    assert [run["data"] for run in report["runs"]] == [str(tiny_dataset)]
    assert len(report["failures"]) == 1 and "## Failed runs" in (out / "report.md").read_text()
    # a dataset without a manifest stops everything before any work
    assert main(["eval", "--model", bundle, "--data", str(tmp_path), "--out", str(tmp_path / "none")]) == 1
    assert "no manifest.csv" in capsys.readouterr().err and not (tmp_path / "none").exists()


@needs_chromium
def test_a_real_browser_renders_the_evaluation_report(tiny_dataset, tiny_unet, tmp_path):
    out = tmp_path / "report"
    args = ["eval", "--model", str(tiny_unet()), "--data", str(tiny_dataset), "--out", str(out)]
    assert main([*args, "--robustness", "blur:9"]) == 0
    dom, image = render(out / "report.html", tmp_path / "shot.png")
    assert dom.count("<table>") >= 8 and dom.count('src="data:image/png;base64,') == 3 and "Robustness" in dom
    assert image.shape[:2] == (1600, 1200) and image.std() > 10  # something was drawn


def test_runtime_onnx_evaluates_the_bundles_onnx_model(tiny_dataset, tiny_unet, tmp_path, capsys):
    from localize.inference.onnx_runtime import add_onnx, attach_onnx, onnx_model, onnx_path

    bundle = tiny_unet("ort", data=tiny_dataset)
    base = ["eval", "--model", str(bundle), "--data", str(tiny_dataset)]
    assert main([*base, "--out", str(tmp_path / "none"), "--runtime", "onnx"]) == 2
    assert "no ONNX model" in capsys.readouterr().err
    add_onnx(bundle)
    assert main([*base, "--out", str(tmp_path / "torch")]) == 0
    assert main([*base, "--out", str(tmp_path / "onnx"), "--runtime", "onnx"]) == 0
    torch_run, onnx_run = (json.loads((tmp_path / k / "report.json").read_text()) for k in ("torch", "onnx"))
    scores = [run["runs"][0]["frame_scores"]["scores"] for run in (torch_run, onnx_run)]
    assert scores[1] == pytest.approx(scores[0], abs=1e-4)  # float32 both ways: the same model
    model = next(item for item in onnx_run["provenance"] if item["kind"] == "model")
    assert model["path"] == str(onnx_path(bundle))
    assert model["sha256"] == hashlib.sha256(onnx_path(bundle).read_bytes()).hexdigest()
    # another network's ONNX model behind the same bundle: --runtime onnx must now score differently
    other = load_bundle(tiny_unet("other", seed=1))
    attach_onnx(bundle, onnx_model(other))
    assert main([*base, "--out", str(tmp_path / "other"), "--runtime", "onnx"]) == 0
    swapped = json.loads((tmp_path / "other" / "report.json").read_text())["runs"][0]["frame_scores"][
        "scores"
    ]
    assert swapped != pytest.approx(scores[0], abs=1e-4)


def test_hostile_dataset_and_bundle_names_are_escaped_in_the_eval_report(tiny_dataset, tiny_unet, tmp_path):
    hostile = "<img src=x onerror=alert(1)>"
    data = tmp_path / hostile
    shutil.copytree(tiny_dataset, data)
    bundle = tiny_unet(name=f"{hostile}model")
    out = tmp_path / "report"
    assert main(["eval", "--model", str(bundle), "--data", str(data), "--out", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert hostile not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
