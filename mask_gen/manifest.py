"""The manifest of a training set (OUT/manifest.csv): its columns, reading it back (checked), writing it,
and choosing a split. train, eval and quantization import only this module to read a dataset."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from localize.common.atomic import write_text_atomic
from localize.common.errors import DatasetError
from localize.common.paths import confined

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


@dataclass(frozen=True)
class ManifestRow:
    """One usable sample of a dataset, typed: `label` 0 (real) or 1 (fake), paths relative to the folder.

    Examples:
        >>> ManifestRow.from_csv({"id": "a", "split": "test", "label": "1", "image": "i.png", "mask": "m.png"}).label
        1
    """

    id: str
    split: str
    label: int
    image: str
    mask: str
    dataset: str = ""
    method: str = ""
    video_id: str = ""
    frame_index: int = 0
    box: str = ""
    mask_area: int = 0
    sha256: str = ""
    source: str = ""

    @classmethod
    def from_csv(cls, row: dict[str, str], where: str = "") -> ManifestRow:
        """The typed row of a CSV dict; DatasetError naming `where` for a bad label or number."""
        values = {f.name: row.get(f.name) or "" for f in fields(cls)}
        if values["label"] not in ("0", "1"):
            raise DatasetError(f"label must be 0 or 1, got {values['label']!r}", where or None)
        try:
            numbers = {k: int(float(values[k] or 0)) for k in ("frame_index", "mask_area")}
        except ValueError:
            raise DatasetError("frame_index and mask_area must be numbers", where or None) from None
        return cls(**{**values, "label": int(values["label"]), **numbers})


def read_manifest(root: str | Path) -> list[ManifestRow]:
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
                where = f"{path} line {line}"
                if row["label"] not in ("0", "1"):
                    raise DatasetError(f"line {line}: label must be 0 or 1, got {row['label']!r}", path)
                for column in ("image", "mask"):
                    confined(path.parent, row[column] or "", where)
                rows.append(ManifestRow.from_csv(row, where))
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


def split_rows(root: str | Path, split: str) -> list[ManifestRow]:
    """The usable rows of one split; DatasetError when it has none."""
    rows = [row for row in read_manifest(root) if row.split == split]
    if not rows:
        raise DatasetError(f"the {split} split is empty", Path(root) / "manifest.csv")
    return rows
