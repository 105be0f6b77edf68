"""Folders of real face photos for self-blending: one face per photo, its box and 5 landmarks.

A folder holds `index.csv` with at least the columns `file`, `box_xywh` ("x y w h") and `landmarks5`
(ten numbers: right eye, left eye, nose, right and left mouth corners, x y each); `person` and `state`
(when present) name who is shown, so a person never lands in two splits; `group` (when present) is that
key verbatim instead (one video's frames, `mask_gen.synth.selfblend.face_index`).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localize.common.errors import DatasetError
from localize.faces.tracker import Box

INDEX = "index.csv"


@dataclass(frozen=True)
class FacePhoto:
    """One photo: its path, who it shows (the split key), the face box and its 5 landmarks; whether it
    is a frame of a video (`mask_gen.synth.selfblend.face_index` writes those under `frames/`)."""

    path: Path
    person: str
    box: Box
    landmarks: tuple[float, ...]
    is_video_frame: bool = False

    def landmark_array(self) -> np.ndarray:
        """The landmarks as a (5, 2) float array."""
        return np.asarray(self.landmarks, np.float64).reshape(5, 2)


def person_key(name: str, state: str = "") -> str:
    """A name reduced to surname and state: "AYRES, William Hanes" and "William Ayres" (OH) match."""
    name = name.strip()
    surname = name.split(",")[0] if "," in name else (name.split() or [""])[-1]
    letters = re.sub(r"[^a-z]", "", surname.lower()) or re.sub(r"[^a-z0-9]", "", name.lower())
    return f"{letters}|{state.strip().lower()}"


def _numbers(text: str, count: int, column: str, path: Path, line: int) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split())
    except ValueError:
        values = ()
    if len(values) != count or not all(np.isfinite(values)):
        raise DatasetError(f"line {line}: {column} must be {count} numbers, got {text[:60]!r}", path)
    return values


def read_face_index(root: str | Path) -> list[FacePhoto]:
    """The photos an `index.csv` lists (paths confined to the folder); DatasetError names a bad line."""
    root = Path(root)
    path = root / INDEX
    if not root.is_dir():
        raise DatasetError("folder not found", root)
    if not path.is_file():
        raise DatasetError(
            f"no {INDEX} (columns file, box_xywh, landmarks5; `forgeloc synth OUT --face-index FOLDER` makes one)",
            root,
        )
    photos = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                if not all(row.get(k) for k in ("file", "box_xywh", "landmarks5")):
                    raise DatasetError(f"line {line}: needs file, box_xywh and landmarks5", path)
                image = (root / row["file"]).resolve()
                if not image.is_relative_to(root.resolve()):
                    raise DatasetError(f"line {line}: {row['file']!r} lies outside the folder", path)
                x, y, w, h = _numbers(row["box_xywh"], 4, "box_xywh", path, line)
                box = (round(x), round(y), round(x + w), round(y + h))
                marks = _numbers(row["landmarks5"], 10, "landmarks5", path, line)
                person = row.get("group") or person_key(
                    row.get("person") or row["file"], row.get("state") or ""
                )
                frame = Path(row["file"]).parts[0] == "frames"
                photos.append(FacePhoto(image, person, box, marks, frame))
    except UnicodeDecodeError:
        raise DatasetError("not UTF-8 text", path) from None
    if not photos:
        raise DatasetError("lists no photo", path)
    return photos


def split_people(photos: list[FacePhoto], val_fraction: float = 0.1) -> dict[str, list[FacePhoto]]:
    """{"train": ..., "val": ...} by a stable hash of each person: no one is in both."""

    def bucket(person: str) -> float:
        return int(hashlib.sha256(person.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    val = [p for p in photos if bucket(p.person) < val_fraction]
    return {"train": [p for p in photos if bucket(p.person) >= val_fraction], "val": val}
