"""Any folder of real face photos or videos made ready for self-blending: an indexed face folder.

Self-blending needs each face's box and 5 landmarks (`mask_gen.synth.selfblend.portraits`). `index_faces` finds
them with YuNet in every photo and in evenly spaced frames of every video below a folder (a researcher's
own FF++ originals work the same way), copies the photos and writes the frames as PNGs into OUT, and
writes OUT/index.csv. Each face gets a `group`: its photo, or its video for all that video's frames, so a
video never straddles the training and validation splits; where the folder has its own `index.csv` with
`path` and `person_id` columns (as `../shared/data/real_faces` has), the person is the group instead, so a
person's photos and clips stay on one side together. A file that cannot be read, or shows no face, is one
warning line and is skipped.
"""

from __future__ import annotations

import csv
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localize.common.errors import ConfigError, ForgelocError
from localize.faces.detectors import Face, FaceDetector
from localize.media.images import is_image_path, read_image, write_png
from localize.media.reader import iter_media_frames, media_info
from localize.media.sampling import sample_indices
from localize.media.video import is_video_path
from mask_gen.synth.selfblend.portraits import INDEX

log = logging.getLogger(__name__)

COLUMNS = ("file", "group", "box_xywh", "landmarks5", "score")


@dataclass(frozen=True)
class IndexConfig:
    """Frames taken from each video (evenly spaced) and the smallest face kept (box height, px)."""

    frames_per_video: int = 8
    min_face_px: int = 40

    def __post_init__(self) -> None:
        if self.frames_per_video < 1 or self.min_face_px < 1:
            raise ConfigError(
                f"frames_per_video and min_face_px must be >= 1, got {self.frames_per_video}, {self.min_face_px}"
            )


@dataclass(frozen=True)
class IndexSummary:
    """What `index_faces` wrote: faces from photos and from video frames, files skipped, the index."""

    photos: int
    frames: int
    skipped: int
    index: Path


def largest_face(faces: list[Face], min_face_px: int) -> Face | None:
    """The largest face that has landmarks and is at least `min_face_px` tall, if any."""
    kept = [f for f in faces if f.landmarks is not None and f.box[3] - f.box[1] >= min_face_px]
    return max(kept, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]), default=None)


def people_of(source: Path) -> dict[str, str]:
    """{relative path: person id} from the folder's own `index.csv` when it has `path` and `person_id`
    columns; empty otherwise (each file is then its own group)."""
    path = source / INDEX
    if not path.is_file():
        return {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (UnicodeDecodeError, csv.Error) as error:
        raise ConfigError(f"{path}: not a readable csv ({error})") from None
    return {row["path"]: row["person_id"] for row in rows if row.get("path") and row.get("person_id")}


def _row(file: str, group: str, face: Face) -> dict:
    x0, y0, x1, y1 = face.box
    marks = " ".join(f"{v:.1f}" for point in face.landmarks for v in point)
    return {
        "file": file,
        "group": group,
        "box_xywh": f"{x0} {y0} {x1 - x0} {y1 - y0}",
        "landmarks5": marks,
        "score": f"{face.score:.3f}",
    }


def index_faces(
    source: str | Path, out: str | Path, detector: FaceDetector, config: IndexConfig = IndexConfig()
) -> IndexSummary:
    """Index the faces of every photo and video below `source` into `out` (see the module docstring)."""
    source, out = Path(source), Path(out)
    if not source.is_dir():
        raise ConfigError(f"{source} is not a folder of face photos or videos")
    if getattr(detector, "name", "") != "yunet":
        raise ConfigError("self-blending needs YuNet's 5 landmarks; the LBP cascade gives none (see Faces)")
    files = sorted(p for p in source.rglob("*") if p.is_file() and (is_image_path(p) or is_video_path(p)))
    people = people_of(source)
    rows, photos, frames, skipped = [], 0, 0, 0
    for path in files:
        relative = path.relative_to(source)
        try:
            if is_image_path(path):
                added = _photo_faces(path, relative, out, detector, config)
                photos += len(added)
            else:
                added = _video_faces(path, relative, out, detector, config)
                frames += len(added)
        except ForgelocError as error:
            log.warning("%s: %s, skipped", path, error.reason)
            skipped += 1
            continue
        if not added:
            log.warning("%s: no face with landmarks of at least %d px, skipped", path, config.min_face_px)
            skipped += 1
        group = people.get(relative.as_posix(), relative.as_posix())
        rows += [_row(file, group, face) for file, face in added]
    if not rows:
        raise ConfigError(f"no face found in any photo or video below {source}")
    out.mkdir(parents=True, exist_ok=True)
    with (out / INDEX).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return IndexSummary(photos, frames, skipped, out / INDEX)


def _photo_faces(
    path: Path, relative: Path, out: Path, detector: FaceDetector, config: IndexConfig
) -> list[tuple[str, Face]]:
    """The photo's largest face, the photo copied into OUT/photos (nothing when it shows no face)."""
    face = largest_face(detector.detect_faces(read_image(path)), config.min_face_px)
    if face is None:
        return []
    file = Path("photos") / relative
    (out / file).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, out / file)
    return [(file.as_posix(), face)]


def _video_faces(
    path: Path, relative: Path, out: Path, detector: FaceDetector, config: IndexConfig
) -> list[tuple[str, Face]]:
    """The largest face of each sampled frame that shows one, the frame written into OUT/frames."""
    info = media_info(path)
    found = []
    for index, frame in iter_media_frames(path, sample_indices(info.frames, frames=config.frames_per_video)):
        face = largest_face(detector.detect_faces(np.ascontiguousarray(frame)), config.min_face_px)
        if face is None:
            continue
        file = Path("frames") / relative.parent / f"{relative.stem}_{index:06d}.png"
        write_png(out / file, frame)
        found.append((file.as_posix(), face))
    return found
