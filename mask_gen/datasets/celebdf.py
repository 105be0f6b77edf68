"""Celeb-DF v2: Celeb-synthesis/idA_idB_NNNN.mp4 pairs with Celeb-real/idA_NNNN.mp4.

YouTube-real/ videos have no fake partner (negatives only). List_of_testing_videos.txt lines are
`label path` with 1 = real, 0 = fake; listed videos form the test split (Li et al. 2020).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from localize.common.errors import DatasetError
from mask_gen.datasets.pair import Pair, hash_split

TEST_LIST = "List_of_testing_videos.txt"


def detect(root: Path) -> bool:
    """True when `root` holds Celeb-synthesis/ or Celeb-real/."""
    return (root / "Celeb-synthesis").is_dir() or (root / "Celeb-real").is_dir()


def testing_videos(root: Path) -> set[str]:
    """Relative paths listed in List_of_testing_videos.txt (empty when absent)."""
    path = root / TEST_LIST
    if not path.is_file():
        return set()
    listed = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2 or fields[0] not in ("0", "1"):
            raise DatasetError(f"line {number} is not 'LABEL PATH' with LABEL 1 (real) or 0 (fake)", path)
        listed.add(fields[1])
    return listed


def _split(test: set[str], relative: str, group: str) -> str:
    return "test" if relative in test else ("val" if hash_split("celebdf", group) == "val" else "train")


def iter_pairs(root: Path) -> Iterator[Pair]:
    """Every synthesis video with its real source, then the unpaired YouTube-real videos."""
    if not detect(root):
        raise DatasetError("not a Celeb-DF folder (needs Celeb-synthesis/ and Celeb-real/)", root)
    test = testing_videos(root)
    for fake in sorted((root / "Celeb-synthesis").glob("*.mp4")):
        parts = fake.stem.split("_")
        if len(parts) != 3:
            raise DatasetError("expected a name idA_idB_NNNN.mp4", fake)
        group = f"{parts[0]}_{parts[2]}"
        relative = f"Celeb-synthesis/{fake.name}"
        yield Pair(
            fake,
            root / "Celeb-real" / f"{group}.mp4",
            "celebdf",
            "synthesis",
            fake.stem,
            group,
            _split(test, relative, group),
        )
    for real in sorted((root / "YouTube-real").glob("*.mp4")):
        relative = f"YouTube-real/{real.name}"
        yield Pair(
            None, real, "celebdf", "youtube-real", real.stem, real.stem, _split(test, relative, real.stem)
        )
