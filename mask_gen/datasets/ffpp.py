"""FaceForensics++ (and its DeepFakeDetection part): pair each fake with its target's original.

original_sequences/youtube/<c>/videos/T.mp4 <- manipulated_sequences/<Method>/<c>/videos/T_S.mp4;
masks at manipulated_sequences/<Method>/masks/videos/T_S.mp4; official splits in
dataset/splits/{train,val,test}.json as lists of [A, B] pairs (Rössler et al. 2019).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from localize.common.errors import DatasetError
from mask_gen.datasets.pair import SPLITS, Pair

COMPRESSIONS = ("raw", "c23", "c40")


def detect(root: Path) -> bool:
    """True when `root` holds the FF++ top-level folders."""
    return (root / "manipulated_sequences").is_dir() and (root / "original_sequences").is_dir()


def official_splits(root: Path) -> dict[str, str]:
    """Video id -> split from splits/*.json (under dataset/splits or splits), empty when absent."""
    for folder in (root / "dataset" / "splits", root / "splits"):
        if not folder.is_dir():
            continue
        splits = {}
        for split in SPLITS:
            path = folder / f"{split}.json"
            if not path.is_file():
                continue
            try:
                pairs = json.loads(path.read_text())
            except ValueError as error:
                raise DatasetError(f"not a list of [A, B] pairs ({error})", path) from None
            if not isinstance(pairs, list) or not all(
                isinstance(pair, list) and all(isinstance(v, (str, int)) for v in pair) for pair in pairs
            ):
                raise DatasetError("not a list of [A, B] pairs (FF++'s splits/*.json)", path)
            for pair in pairs:
                splits.update({str(video): split for video in pair})
        return splits
    return {}


def _original(root: Path, method: str, compression: str, stem: str) -> tuple[Path, str]:
    """Path and id of the real video a fake was made from."""
    if method == "DeepFakeDetection":
        target_source, scene = stem.split("__")[:2]
        real_id = f"{target_source.split('_')[0]}__{scene}"
        return root / "original_sequences" / "actors" / compression / "videos" / f"{real_id}.mp4", real_id
    target = stem.split("_")[0]
    return root / "original_sequences" / "youtube" / compression / "videos" / f"{target}.mp4", target


def iter_pairs(root: Path) -> Iterator[Pair]:
    """Every fake under manipulated_sequences with its original (which may be missing: reported later)."""
    if not detect(root):
        raise DatasetError(
            "not a FaceForensics++ folder (needs original_sequences/ and manipulated_sequences/)", root
        )
    splits = official_splits(root)
    for method_dir in sorted(p for p in (root / "manipulated_sequences").iterdir() if p.is_dir()):
        for compression in COMPRESSIONS:
            videos = method_dir / compression / "videos"
            if not videos.is_dir():
                continue
            for fake in sorted(videos.glob("*.mp4")):
                real, group = _original(root, method_dir.name, compression, fake.stem)
                mask = method_dir / "masks" / "videos" / fake.name
                yield Pair(
                    fake=fake,
                    real=real,
                    dataset="ffpp",
                    method=method_dir.name,
                    video_id=fake.stem,
                    group=group,
                    split=splits.get(group),
                    variant=compression,
                    mask=mask if mask.is_file() else None,
                )
