"""Any collection: a CSV with columns fake,real[,label,split]; paths relative to the CSV; videos or images.

A row with an empty `fake` (or label 0) is a real with no partner: its frames are negatives only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from localize.errors import DatasetError
from mask_gen.datasets.pair import Pair


def detect(root: Path) -> bool:
    """True for a CSV file, or a folder with exactly one CSV in it."""
    return root.suffix.lower() == ".csv" or (root.is_dir() and len(list(root.glob("*.csv"))) == 1)


def _csv_path(root: Path) -> Path:
    if root.is_file():
        return root
    found = sorted(root.glob("*.csv"))
    if len(found) != 1:
        raise DatasetError(f"expected one CSV of pairs in the folder, found {len(found)}", root)
    return found[0]


def iter_pairs(root: Path) -> Iterator[Pair]:
    """One Pair per CSV row, in file order."""
    path = _csv_path(root)
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"fake", "real"} - set(reader.fieldnames or [])
        if missing:
            raise DatasetError(
                f"missing column(s) {', '.join(sorted(missing))}; need fake,real[,label,split]", path
            )
        for number, row in enumerate(reader, 2):
            real = (row.get("real") or "").strip()
            fake = (row.get("fake") or "").strip()
            if not real:
                raise DatasetError(f"row {number} has no real path", path)
            is_real_only = not fake or (row.get("label") or "").strip() == "0"
            real_path = path.parent / real
            fake_path = None if is_real_only else path.parent / fake
            yield Pair(
                fake=fake_path,
                real=real_path,
                dataset="generic",
                method="real" if is_real_only else "generic",
                video_id=Path(fake or real).stem,
                group=real_path.stem,
                split=(row.get("split") or "").strip() or None,
            )
