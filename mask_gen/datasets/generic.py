"""Any collection: a CSV with columns fake,real[,label,split]; paths relative to the CSV; videos or images.

A row with an empty `fake` (or label 0) is a real with no partner: its frames are negatives only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from localize.common.errors import DatasetError
from localize.common.paths import confined
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
    try:
        yield from _rows(path)
    except UnicodeDecodeError:
        raise DatasetError("not UTF-8 text", path) from None
    except csv.Error as error:
        raise DatasetError(f"not a readable CSV ({error})", path) from None


def _rows(path: Path) -> Iterator[Pair]:
    with path.open(newline="", encoding="utf-8") as handle:
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
            where = f"{path} row {number}"
            real_path = confined(path.parent, real, where)
            fake_path = None if is_real_only else confined(path.parent, fake, where)
            yield Pair(
                fake=fake_path,
                real=real_path,
                dataset="generic",
                method="real" if is_real_only else "generic",
                video_id=Path(fake or real).stem,
                group=real_path.stem,
                split=(row.get("split") or "").strip() or None,
            )
