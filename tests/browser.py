"""Headless Chromium (Debian's package) on a local HTML file: its DOM and a screenshot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from localize.media.images import read_image

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)


def render(page: Path, shot: Path, size: tuple[int, int] = (1200, 1600)) -> tuple[str, np.ndarray]:
    """(the DOM after loading, an RGB screenshot of `size` = (width, height))."""
    dom = subprocess.run(
        ["chromium", *FLAGS, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    window = f"--window-size={size[0]},{size[1]}"
    subprocess.run(
        ["chromium", *FLAGS, f"--screenshot={shot}", window, page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return dom, read_image(shot)
