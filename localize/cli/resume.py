"""Going on where an interrupted `forgeloc inspect` stopped: which inputs an earlier run into the same
folder finished with the same model and settings, and whether their files are still there."""

from __future__ import annotations

import json
from pathlib import Path

from localize.common.checksum import sha256_of


def finished_entries(path: Path, results: dict) -> dict[tuple[int, str], dict]:
    """(number, input path) -> entry of the inputs an earlier run into the same folder finished, when it
    ran the same model with the same settings; empty otherwise (or when its results.json is unreadable)."""
    try:
        earlier = json.loads(path.read_text())
        now = json.loads(json.dumps({"model": results["model"], "parameters": results["parameters"]}))
        if earlier["model"] != now["model"] or earlier["parameters"] != now["parameters"]:
            return {}
        return {
            (number, entry["path"]): entry
            for number, entry in enumerate(earlier["inputs"], start=1)
            if entry["status"] == "ok"
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def file_digest(path: Path) -> str:
    """The file's SHA-256, or "" when it is not a file that can be read (the analysis reports why)."""
    try:
        return sha256_of(path) if path.is_file() else ""
    except OSError:
        return ""


def frames_present(entry: dict, out: Path) -> bool:
    """True when every frame image an earlier entry names is still in `out`."""
    try:
        return all(
            (out / frame[name]).is_file()
            for frame in entry["frames"]
            for name in ("overlay", "mask")
            if frame[name] is not None
        )
    except (KeyError, TypeError):
        return False


def frames_folder(out: Path, number: int, path: Path) -> Path:
    """Where input `number`'s frame images go."""
    return out / "frames" / f"{number:03d}-{path.stem}"
