"""Paths named inside data files (CSV rows, metadata.json, manifests) stay inside their folder."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from localize.common.errors import DatasetError


def confined(root: Path, name: str, source: str | Path) -> Path:
    """`root / name`, refused (DatasetError naming `source`) when `name` is absolute or climbs out of
    `root` with `..`: a data file names files beside it, never elsewhere on the machine.

    Examples:
        >>> confined(Path("/data"), "a/b.mp4", "x.csv")
        PosixPath('/data/a/b.mp4')
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise DatasetError(f"names no file: {name!r}", source)
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise DatasetError(f"{name!r} is an absolute path; paths must be relative to {root}", source)
    if ".." in posix.parts or ".." in windows.parts:
        raise DatasetError(f"{name!r} climbs out of {root}", source)
    return root / name
