"""The example frames of FaceForensics++'s README (github.com/ondyari/FaceForensics `images/`): three
fakes with their official masks and the two originals they were made from.

The masks follow three conventions (PROVENANCE.md of the ../shared copy): Deepfakes is binary 0/255,
NeuralTextures a shaded rendering of the tracked face mesh on black (manipulated = anything above 0),
DeepFakeDetection near-binary with soft edges (manipulated = above 127).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localize.common.errors import DatasetError
from localize.media.images import read_image
from mask_gen.datasets.pair import mask_frame

# method -> (fake stem, its original's stem, grey level above which the mask counts as manipulated)
EXAMPLES = {
    "Deepfakes": ("ex_deepfakes", "ex_original", 0),
    "NeuralTextures": ("ex_neuraltextures", "ex_original", 0),
    "DFD": ("ex_deepfakedetection", "ex_original_actors", 127),
}
ORIGINALS = ("ex_original", "ex_original_actors")


@dataclass(frozen=True)
class Example:
    """One README fake: its method, the aligned original and fake frames (RGB) and the official mask."""

    method: str
    real: np.ndarray
    fake: np.ndarray
    mask: np.ndarray


def read_mask(path: Path, cut: int) -> np.ndarray:
    """An official mask image as bool (H, W): any channel above `cut`."""
    return mask_frame(read_image(path), cut)


def read_examples(folder: str | Path) -> list[Example]:
    """The three README fakes in `folder` (the repository's images/), in EXAMPLES order."""
    folder = Path(folder)
    missing = [
        name
        for fake, real, _ in EXAMPLES.values()
        for name in (f"{fake}.png", f"{fake}_mask.png", f"{real}.png")
        if not (folder / name).is_file()
    ]
    if missing:
        raise DatasetError(f"is not FaceForensics' images/ folder: {missing[0]} is missing", folder)
    return [
        Example(
            method,
            read_image(folder / f"{real}.png"),
            read_image(folder / f"{fake}.png"),
            read_mask(folder / f"{fake}_mask.png", cut),
        )
        for method, (fake, real, cut) in EXAMPLES.items()
    ]
