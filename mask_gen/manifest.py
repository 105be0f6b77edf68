"""The manifest of a training set (OUT/manifest.csv): its columns, reading it back (checked), writing it,
and choosing a split. train, eval and quantization import only this module to read a dataset."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from localize.atomic import write_text_atomic
from localize.errors import DatasetError
from localize.paths import confined

MANIFEST_COLUMNS = (
    "id",
    "split",
    "label",
    "dataset",
    "method",
    "video_id",
    "frame_index",
    "image",
    "mask",
    "box",
    "mask_area",
    "sha256",
    "status",
    "error",
    "source",
)


def read_manifest(root: str | Path) -> list[dict]:
    """The usable (status ok) rows of OUT/manifest.csv, checked: every column present, label 0 or 1,
    image and mask paths inside the folder (a hand-edited row names its line)."""
    path = Path(root) / "manifest.csv"
    if not path.is_file():
        raise DatasetError("no manifest.csv: not a dataset written by `forgeloc mask-gen`", path.parent)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"id", "split", "label", "image", "mask"} - set(reader.fieldnames or [])
            if missing:
                raise DatasetError(f"missing column(s) {', '.join(sorted(missing))}", path)
            rows = []
            for line, row in enumerate(reader, start=2):
                if row.get("status", "ok") != "ok":
                    continue
                if row["label"] not in ("0", "1"):
                    raise DatasetError(f"line {line}: label must be 0 or 1, got {row['label']!r}", path)
                for column in ("image", "mask"):
                    confined(path.parent, row[column] or "", f"{path} line {line}")
                rows.append(row)
            return rows
    except UnicodeDecodeError:
        raise DatasetError("not UTF-8 text", path) from None
    except csv.Error as error:
        raise DatasetError(f"not a readable CSV ({error})", path) from None


def write_manifest(out: Path, rows: Iterable[dict]) -> Path:
    """OUT/manifest.csv with `rows` (missing columns empty, extra keys ignored), written atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(out / "manifest.csv", buffer.getvalue())
    return out / "manifest.csv"


def split_rows(root: str | Path, split: str) -> list[dict]:
    """The usable rows of one split; DatasetError when it has none."""
    rows = [row for row in read_manifest(root) if row["split"] == split]
    if not rows:
        raise DatasetError(f"the {split} split is empty", Path(root) / "manifest.csv")
    return rows
