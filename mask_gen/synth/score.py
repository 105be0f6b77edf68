"""Score a mask-gen output built from a synthetic set against the set's exact masks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from localize.faces.tracker import crop
from localize.media.images import read_mask
from mask_gen.manifest import ManifestRow, read_manifest
from mask_gen.quality import mask_dice
from mask_gen.synth.layouts import load_truth


def score_dataset(
    dataset: str | Path, synth_root: str | Path, where: Callable[[ManifestRow], bool] | None = None
) -> dict[str, float]:
    """Mean Dice of each fake sample's mask (rows passing `where`) against the truth, cropped alike.

    Returns {"all": mean, <method>: mean, ...}.
    """
    dataset, synth_root = Path(dataset), Path(synth_root).resolve()
    scores: dict[str, list[float]] = {}
    for row in read_manifest(dataset):
        if row.label != 1 or (where and not where(row)):
            continue
        truth = load_truth(synth_root, Path(row.source).resolve())[row.frame_index]
        box = tuple(int(v) for v in row.box.split())
        predicted = read_mask(dataset / row.mask)
        truth = cv2.resize(
            crop(truth, box).astype(np.uint8), predicted.shape[::-1], interpolation=cv2.INTER_NEAREST
        ).astype(bool)
        score = mask_dice(predicted, truth)
        scores.setdefault("all", []).append(score)
        scores.setdefault(row.method, []).append(score)
    return {name: float(np.mean(values)) for name, values in scores.items()}
