"""Where the YuNet face detector's file comes from, the way torchvision and timm resolve weights.

In order: the path given (`--face-model FILE`), `$FORGELOC_FACE_MODEL`, the cache
(`$FORGELOC_HOME`, default `~/.cache/forgeloc`), one download from the pinned opencv_zoo URL into the
cache (checked against its SHA-256, written atomically; never with `FORGELOC_OFFLINE=1`); else None, and the caller falls back to the
LBP cascade. A file whose SHA-256 differs from the pinned one is refused by name. Nothing fetched is
ever part of the repository.
"""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.request
from pathlib import Path

from localize.atomic import write_bytes_atomic
from localize.checksum import sha256_of
from localize.errors import ConfigError

log = logging.getLogger(__name__)

YUNET_FILE = "face_detection_yunet_2023mar.onnx"
YUNET_SHA256 = "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"
YUNET_URL = "https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx"
ENV_MODEL, ENV_HOME, ENV_OFFLINE = "FORGELOC_FACE_MODEL", "FORGELOC_HOME", "FORGELOC_OFFLINE"
HOW_TO_SUPPLY = f"set {ENV_MODEL}=FILE or pass --face-model FILE (opencv_zoo's {YUNET_FILE}, sha256 {YUNET_SHA256[:12]}...)"


def cache_dir() -> Path:
    """$FORGELOC_HOME, or ~/.cache/forgeloc."""
    return Path(os.environ.get(ENV_HOME) or Path.home() / ".cache" / "forgeloc")


def checked(path: str | Path) -> Path:
    """`path` if it is the pinned YuNet file; ConfigError naming it when missing or different."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("face model file not found", path)
    if sha256_of(path) != YUNET_SHA256:
        raise ConfigError(f"not the pinned YuNet model (sha256 differs from {YUNET_SHA256[:12]}...)", path)
    return path


def download(target: Path, url: str = YUNET_URL, timeout: float = 20.0) -> Path | None:
    """One download of the pinned file into `target`, checked before it is renamed into place."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - pinned https URL
            payload = response.read(8 << 20)
    except OSError as error:
        log.info("face model download failed (%s)", error)
        return None
    if hashlib.sha256(payload).hexdigest() != YUNET_SHA256:
        log.warning("the downloaded face model does not match its pinned SHA-256; not used")
        return None
    write_bytes_atomic(target, payload)
    return target


def resolve_face_model(path: str | Path | None = None, allow_download: bool = True) -> Path | None:
    """The YuNet file to use, or None when none can be had (the caller then uses the LBP cascade)."""
    if path:
        return checked(path)
    if os.environ.get(ENV_MODEL):
        return checked(os.environ[ENV_MODEL])
    cached = cache_dir() / YUNET_FILE
    if cached.is_file():
        return checked(cached)
    if allow_download and os.environ.get(ENV_OFFLINE, "") in ("", "0"):
        return download(cached)
    return None
