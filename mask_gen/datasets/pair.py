"""A fake with its real original, as every dataset adapter yields it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Pair:
    """One fake video or image and the real one it was made from.

    `fake` is None for a real video with no fake partner (its frames are negatives only); `group` is the
    real source's id, which decides the split so no source leaks across train/val/test.
    """

    fake: Path | None
    real: Path
    dataset: str
    method: str
    video_id: str
    group: str
    split: str | None = None
    variant: str = ""
    mask: Path | None = None

    @property
    def key(self) -> str:
        """Unique, stable name of the pair inside a run."""
        parts = [self.dataset, self.method, self.variant, self.video_id]
        return "/".join(part for part in parts if part)

    @property
    def method_variant(self) -> str:
        """The method and, where the layout has one, the compression: "Deepfakes c23"."""
        return f"{self.method} {self.variant}".strip()


def mask_frame(frame: np.ndarray, cut: int = 127) -> np.ndarray:
    """A dataset's mask image or video frame (white on black, RGB) as bool: any channel above `cut`."""
    return frame.max(axis=2) > cut


def hash_split(dataset: str, group: str, val: float = 0.1, test: float = 0.1) -> str:
    """Deterministic split of a source by hashing its id: the same group always lands in the same split."""
    digest = hashlib.sha1(f"{dataset}/{group}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < test:
        return "test"
    if position < test + val:
        return "val"
    return "train"


def split_of(pair: Pair, by: str = "dataset") -> str:
    """The dataset's own split where it has one (by="dataset"), else the hash split of the pair's group.

    by="hash" ignores the dataset's split: DFDC's training parts all say "train".
    """
    if by == "dataset" and pair.split in SPLITS:
        return pair.split
    return hash_split(pair.dataset, pair.group)
