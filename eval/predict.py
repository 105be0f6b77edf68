"""The one inference loop of every evaluation: a split's crops (optionally perturbed or attacked first)
through a bundle, as P(fake) maps (segmentation) or scores (classifiers) next to the true masks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from tqdm import tqdm

from localize.bundle import Bundle, normalize, probabilities
from localize.errors import DatasetError
from localize.images import read_image, read_mask
from mask_gen.writer import read_manifest

# uint8 images (N, H, W, 3) and bool masks (N, H, W) -> the same, changed (a perturbation or an attack)
Transform = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def split_rows(data_dir: str | Path, split: str) -> list[dict]:
    """The ok rows of one split of a mask-gen dataset."""
    rows = [r for r in read_manifest(data_dir) if r["split"] == split]
    if not rows:
        raise DatasetError(f"the {split} split is empty", Path(data_dir) / "manifest.csv")
    return rows


def to_input(bundle: Bundle, images: np.ndarray) -> np.ndarray:
    """uint8 images resized to the bundle's input size (a Meso4 bundle on a 128 px dataset gets 256 px)."""
    height, width = bundle.meta.get("input_size", images.shape[1:3])
    if images.shape[1:3] == (height, width):
        return images
    return np.stack([cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA) for image in images])


def predict(bundle: Bundle, images: np.ndarray) -> np.ndarray:
    """P(fake) of uint8 images (N, H, W, 3): maps (N, H, W) back at the images' size, or scores (N,);
    by onnxruntime when the bundle has a session (`forgeloc eval --runtime onnx`)."""
    x = normalize(torch.from_numpy(to_input(bundle, images)).permute(0, 3, 1, 2), bundle.meta)
    out = probabilities(bundle, x)
    if out.ndim != 4:
        return out.reshape(len(images))
    maps = out[:, 0]
    if maps.shape[1:] != images.shape[1:3]:
        size = (images.shape[2], images.shape[1])
        maps = np.stack([cv2.resize(m, size, interpolation=cv2.INTER_LINEAR) for m in maps])
    return maps


def batches(
    data_dir: str | Path, rows: list[dict], batch: int = 16
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(images, masks) of the rows, `batch` at a time."""
    root = Path(data_dir)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        yield (
            np.stack([read_image(root / r["image"]) for r in chunk]),
            np.stack([read_mask(root / r["mask"]) for r in chunk]),
        )


def outputs(
    bundle: Bundle,
    data_dir: str | Path,
    rows: list[dict],
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
