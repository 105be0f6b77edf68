"""The one inference loop of every evaluation: a split's crops (optionally perturbed or attacked first)
through a bundle, as P(fake) maps (segmentation) or scores (classifiers) next to the true masks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from tqdm import tqdm

from localize.inference.bundle import Bundle
from localize.media.images import read_image, read_mask
from mask_gen.manifest import ManifestRow

# uint8 images (N, H, W, 3) and bool masks (N, H, W) -> the same, changed (a perturbation or an attack)
Transform = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def predict(bundle: Bundle, images: np.ndarray) -> np.ndarray:
    """P(fake) of uint8 images (N, H, W, 3): maps (N, H, W) back at the images' size, or scores (N,);
    the bundle's one predict path (its preprocessing record, its runtime)."""
    return bundle.predict(images)


def batches(
    data_dir: str | Path, rows: list[ManifestRow], batch: int = 16
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(images, masks) of the rows, `batch` at a time."""
    root = Path(data_dir)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        yield (
            np.stack([read_image(root / r.image) for r in chunk]),
            np.stack([read_mask(root / r.mask) for r in chunk]),
        )


def outputs(
    bundle: Bundle,
    data_dir: str | Path,
    rows: list[ManifestRow],
    transform: Transform | None = None,
    batch: int = 16,
    desc: str | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(P(fake) map or 0-d score, true mask) per row, in row order, after `transform` if given; with
    `desc`, a progress bar over the crops on stderr."""
    bar = tqdm(total=len(rows), desc=desc, unit="crop", file=sys.stderr, disable=desc is None, leave=False)
    with bar:
        for images, masks in batches(data_dir, rows, batch):
            if transform is not None:
                images, masks = transform(images, masks)
            yield from zip(predict(bundle, images), masks, strict=True)
            bar.update(len(images))
