"""DFDC: folders with metadata.json mapping name.mp4 -> {label: REAL|FAKE, split, original}.

A fake pairs with its `original`; a real with no fake present is kept as negatives only. Some parts
nest one folder deeper, so metadata files are found recursively.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from localize.common.errors import DatasetError
from localize.common.paths import confined
from mask_gen.datasets.pair import Pair


def detect(root: Path) -> bool:
    """True when a metadata.json lies at or below `root`."""
    return any(root.rglob("metadata.json"))


def _read_metadata(path: Path) -> dict[str, dict]:
    try:
        metadata = json.loads(path.read_text())
    except ValueError as error:
        raise DatasetError(f"not valid JSON ({error})", path) from None
    if not isinstance(metadata, dict) or not all(isinstance(v, dict) for v in metadata.values()):
        raise DatasetError("expected {name: {label, split, original}}", path)
    for name, entry in metadata.items():
        for key in ("label", "split", "original"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise DatasetError(f"{name}: {key} must be a string, got {entry[key]!r}", path)
        confined(path.parent, name, path)
        if entry.get("original"):
            confined(path.parent, entry["original"], path)
    return metadata


def iter_pairs(root: Path) -> Iterator[Pair]:
    """One Pair per FAKE entry, and a real-only Pair per REAL entry no fake refers to."""
    files = sorted(root.rglob("metadata.json"))
    if not files:
        raise DatasetError("no metadata.json found (not a DFDC folder)", root)
    for path in files:
        metadata = _read_metadata(path)
        originals = {entry.get("original") for entry in metadata.values() if entry.get("label") == "FAKE"}
        for name, entry in sorted(metadata.items()):
            label, split = entry.get("label"), entry.get("split")
            stem = Path(name).stem
            if label == "FAKE":
                original = entry.get("original") or ""
                yield Pair(
                    fake=path.parent / name,
                    real=path.parent / original,
                    dataset="dfdc",
                    method="dfdc",
                    video_id=stem,
                    group=Path(original).stem or stem,
                    split=split,
                )
            elif label == "REAL" and name not in originals and (path.parent / name).is_file():
                yield Pair(None, path.parent / name, "dfdc", "real", stem, stem, split)
