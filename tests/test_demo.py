"""`forgeloc demo`, the README's first command: synthetic data, mask-gen, then inspect with the bundled model."""

from __future__ import annotations

import json

import pytest

from localize.cli import main
from localize.localizer import default_bundle_path
from tests.conftest import YUNET


@pytest.mark.slow
@pytest.mark.parametrize("faces", ["yunet", "offline"])
def test_demo_runs_end_to_end_with_the_bundled_model(tmp_path, capsys, monkeypatch, faces):
    if faces == "yunet" and not YUNET.is_file():
        pytest.skip("YuNet's file is in ../shared, absent here (the offline case runs the LBP fallback)")
    if faces == "offline":  # a fresh install without the detector file and no network: the LBP fallback
        monkeypatch.delenv("FORGELOC_FACE_MODEL", raising=False)
        monkeypatch.setenv("FORGELOC_HOME", str(tmp_path / "empty_cache"))
        monkeypatch.setenv("FORGELOC_OFFLINE", "1")
    assert default_bundle_path().is_file(), "the default model bundle must ship with the package"
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    printed = capsys.readouterr().out
    assert "report.html" in printed
    # the generated masks against the exact ones (the demo's first claim), every method and overall
    dice = {
        line.split()[1]: float(line.split()[2])
        for line in printed.splitlines()
        if line.strip().startswith("Dice ")
    }
    assert set(dice) == {"Blur", "Inpaint", "SelfBlend", "Splice", "all"} and min(dice.values()) > 0.75
    results = json.loads((tmp_path / "demo" / "inspect" / "results.json").read_text())
    verdicts = {entry["path"].rsplit("/", 1)[-1]: entry["verdict"] for entry in results["inputs"]}
    assert set(verdicts) == {"real_video.mp4", "fake_video.mp4", "real_image.png", "fake_image.png"}
    assert all(verdict in ("FAKE", "REAL") for verdict in verdicts.values())
    # four right verdicts with either detector: the fakes are face blends (on YuNet's landmarks, or on a
    # frontal face's typical ones in the LBP fallback's box), which the default model finds
    assert results["parameters"]["face_detector"]["detector"] == ("lbp" if faces == "offline" else "yunet")
    assert verdicts["real_video.mp4"] == verdicts["real_image.png"] == "REAL"
    assert verdicts["fake_video.mp4"] == verdicts["fake_image.png"] == "FAKE"
    assert results["model"]["bundle"] == str(default_bundle_path())
    report = (tmp_path / "demo" / "inspect" / "report.html").read_text()
    assert len(report) > 10_000
    # the shipped default averages each crop with its mirror image, and results and report say so
    assert results["parameters"]["flip_average"] and "averaged with its mirror image" in report
