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


def test_the_layers_hold_and_a_lower_layer_importing_a_higher_one_breaks_them(copy):
    kept = lint(copy)
    assert kept.returncode == 0, kept.stdout[-2000:]
    module = copy / "localize" / "boxes.py"
    original = module.read_text()
    module.write_text(original + "\nimport mask_gen.core  # noqa\n")
    try:
        broken = lint(copy)
    finally:
        module.write_text(original)
    assert broken.returncode != 0
    assert "localize.boxes -> mask_gen.core" in broken.stdout


def test_an_import_circle_inside_a_package_breaks_the_contract(copy):
    module = copy / "localize" / "lbp.py"
    original = module.read_text()
    module.write_text(original + "\nimport localize.faces  # noqa\n")
    try:
        broken = lint(copy)
    finally:
        module.write_text(original)
    assert broken.returncode != 0
    assert "No cycles are allowed in localize" in broken.stdout
