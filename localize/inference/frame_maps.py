"""A frame's probability map from the model's outputs on its crops, and the frame's verdict on it.

Face crops are pasted back where they came from (where two overlap, the more suspicious wins); a frame
larger than the model's input is covered with overlapping tiles whose outputs are averaged. The verdict
is `localize.inference.decide`'s frame rule, each region held to the scale of the crop it lies in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from localize.faces.tracker import Box, box_centre, crop, full_box, holds
from localize.inference.components import hysteresis
from localize.inference.decide import Region, suspicious_regions


def tiles(shape: tuple[int, ...], input_size: tuple[int, int], overlap: float) -> list[Box]:
    """Input-sized boxes covering a frame of `shape`, overlapping by `overlap` (one box when it fits)."""
    height, width = shape[:2]
    tile_h, tile_w = input_size
    if height <= tile_h and width <= tile_w:
        return [full_box(shape)]

    def starts(length: int, tile: int) -> list[int]:
        if length <= tile:
            return [0]
        stride = max(1, int(tile * (1 - overlap)))
        return sorted(set(list(range(0, length - tile, stride)) + [length - tile]))

    return [
        (x, y, min(width, x + tile_w), min(height, y + tile_h))
        for y in starts(height, tile_h)
        for x in starts(width, tile_w)
    ]


def assemble(
    shapes: Sequence[tuple[int, ...]],
    jobs: Sequence[tuple[int, Box]],
    outputs: Sequence[np.ndarray | float],
    average: bool,
) -> list[np.ndarray]:
    """Full-frame float32 maps of frames of `shapes` from the model's `outputs` on the (frame number,
    box) `jobs`: averaged where boxes overlap (tiles) or their maximum (face crops)."""
    # np.zeros pages are only mapped where written: a face crop's map costs the crop, not the frame
    maps = [np.zeros(shape[:2], np.float32) for shape in shapes]
    counts = [np.zeros(shape[:2], np.float32) for shape in shapes] if average else None
    for (number, box), out in zip(jobs, outputs, strict=True):
        part = crop(maps[number], box)
        if counts is None:
            np.maximum(part, out, out=part)
        else:
            part += out
            crop(counts[number], box)[:] += 1
    for number, prob in enumerate(maps):
        if counts is not None:
            np.divide(prob, counts[number], out=prob, where=counts[number] > 1)
    return maps


def judge_map(
    prob: np.ndarray,
    boxes: list[Box],
    threshold: float,
    min_region_px: float,
    scales: dict[Box, float],
    segmentation: bool = True,
    mask_threshold: float | None = None,
) -> tuple[np.ndarray, float, list[Region]]:
    """(mask, score, suspicious regions) of a frame's map over its crop `boxes`.

    Segmentation: regions of prob > threshold inside the crops, each larger than `min_region_px` times
    its own crop's scale (`scales`: frame pixels per model-input pixel); the score is the map's peak.
    The mask is those regions' pixels above the threshold, grown (hysteresis) through the connected
    pixels above `mask_threshold` when it is lower: the verdict stays strict, the mask covers the edit.
    Classifiers: a crop is a region when its mean score is above the threshold; the score is the highest.
    """
    mask = np.zeros(prob.shape, bool)
    if segmentation:
        # the map is zero outside the crops: look for regions inside them only (a 720p frame's
        # connected components cost more than the crops')
        x0, y0, x1, y1 = union = _union(boxes)
        found = []
        for r in suspicious_regions(crop(prob, union), threshold, min_region_px * min(scales.values())):
            region = Region(r.area, (r.box[0] + x0, r.box[1] + y0, r.box[2] + x0, r.box[3] + y0), r.peak)
            if r.area > min_region_px * scales[_owner(region.box, boxes)]:
                found.append(region)
        for region in found:
            part = crop(mask, region.box)
            part |= crop(prob, region.box) > threshold
        if found and mask_threshold is not None and mask_threshold < threshold:
            seeds = crop(mask, union)
            seeds[:] = hysteresis(crop(prob, union), seeds, mask_threshold)
        return mask, float(crop(prob, union).max()), found
    means = {box: float(crop(prob, box).mean()) for box in boxes}
    found = [Region((b[2] - b[0]) * (b[3] - b[1]), b, m) for b, m in means.items() if m > threshold]
    for region in found:
        crop(mask, region.box)[:] = True
    return mask, max(means.values()), found


def _union(boxes: list[Box]) -> Box:
    """The smallest box holding all `boxes`."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _owner(region: Box, boxes: list[Box]) -> Box:
    """The crop a region belongs to: the first holding its centre (the first crop if none does)."""
    return next((b for b in boxes if holds(b, box_centre(region))), boxes[0])
