"""The import-linter contract in pyproject.toml holds for the code as it is, and breaks when a lower layer
imports a higher one or two modules of a package import each other (run on a copy of the packages)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("localize", "mask_gen", "train", "eval")


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    run = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    command = [sys.executable, "-c", run, "--config", str(root / "pyproject.toml"), "--no-cache"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("assets", "__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def lint_with(root: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """lint() of the copy with `line` appended to `module` (restored afterwards)."""
    path = root / module
    original = path.read_text()
    path.write_text(original + f"\n{line}  # noqa\n")
    try:
        return lint(root)
    finally:
        path.write_text(original)


def test_the_layers_hold_and_a_lower_layer_importing_a_higher_one_breaks_them(copy):
    kept = lint(copy)
    assert kept.returncode == 0, kept.stdout[-2000:]
    broken = lint_with(copy, "localize/faces/boxes.py", "import mask_gen.core")
    assert broken.returncode != 0
    assert "localize.faces.boxes -> mask_gen.core" in broken.stdout


def test_inside_the_core_a_lower_stage_importing_a_higher_one_breaks_the_layers(copy):
    """Media must not reach up into inference (nor faces into the report): the stages of `inspect`."""
    broken = lint_with(copy, "localize/media/video.py", "import localize.inference.bundle")
    assert broken.returncode != 0
    assert "localize.media.video -> localize.inference.bundle" in broken.stdout
    assert "inside localize" in broken.stdout and "BROKEN" in broken.stdout


def test_an_import_circle_inside_a_package_breaks_the_contract(copy):
    broken = lint_with(copy, "localize/faces/lbp.py", "import localize.faces.tracker")
    assert broken.returncode != 0
    assert "No cycles are allowed in localize.faces" in broken.stdout
