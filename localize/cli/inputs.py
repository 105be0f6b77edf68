"""The inputs of `forgeloc inspect`: the files and folders named, expanded to the images and videos in
them, each file once."""

from __future__ import annotations

import logging
from pathlib import Path

from localize.common.errors import MediaError
from localize.media.images import is_image_path
from localize.media.video import is_video_path

log = logging.getLogger(__name__)


def media_files(paths: list[str], out: Path | None = None) -> list[Path]:
    """The inputs: files as given, folders expanded to the images and videos inside them (sorted), leaving
    out the frame images of the output folder `out` when it lies inside one (they are not evidence); a file named
    more than once is kept once, where it first appears."""
    skip = (out / "frames").resolve() if out is not None else None  # the only media inspect writes
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and (is_image_path(p) or is_video_path(p))
                and not (skip is not None and p.resolve().is_relative_to(skip))
            )
            if not inside:
                log.warning("%s: no images or videos in this folder", path)
            found += inside
        else:
            found.append(path)
    if not found:
        raise MediaError("no images or videos to analyse", ", ".join(paths))
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(_same_file_key(path), path)  # where it first appears
    if len(unique) < len(found):
        log.info(
            "%d input(s) named more than once (a file and its folder, overlapping globs): each analysed once",
            len(found) - len(unique),
        )
    return list(unique.values())


def _same_file_key(path: Path) -> str:
    """One key per file however it is named (relative, absolute, through a link); missing files by name."""
    try:
        return str(path.resolve(strict=True))
    except OSError:
        return str(path)
