"""Threshold search: the threshold and minimum region size that maximise frame-level F1 on a
split (the seed found 0.95 for Unet and 0.5 for Unet_v1 this way); written into the bundle's json."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from localize.common.errors import ConfigError
from localize.faces.tracker import full_box
from localize.inference.bundle import canonical_thresholds, update_meta
from localize.inference.decide import frame_is_fake, region_scale
from localize.inference.frame_maps import judge_map
from mask_gen.quality import mask_dice

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
MIN_REGIONS = (25, 50, 100, 200, 400)
MASK_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)


@dataclass(frozen=True)
class Choice:
    """The best pair on the split, its frame F1, and the F1 of every pair tried."""

    threshold: float
    min_region_px: int
    f1: float
    grid: dict[tuple[float, int], float]
    real_flagged: float = 0.0  # the share of real frames the chosen pair calls fake (the largest group's)
    flagged_by_group: dict[str, float] = field(default_factory=dict)  # that share in each group of reals
    fakes_found: float = 0.0  # the share of fake frames the chosen pair calls fake


def check_max_real_flagged(value: float | None) -> None:
    """Refuse a cap on real frames flagged that is not a share (2 for 2 %, or NaN)."""
    if value is not None and not 0.0 <= value <= 1.0:
        raise ConfigError(f"--max-real-flagged is a share in [0, 1] (0.05 for 5 %), got {value}")


def search(
    maps: Sequence[np.ndarray],
    labels: Sequence[int],
    thresholds: Sequence[float] = THRESHOLDS,
    min_regions: Sequence[int] = MIN_REGIONS,
    max_real_flagged: float | None = None,
    input_size: tuple[int, int] | None = None,
    groups: Sequence[str] | None = None,
) -> Choice:
    """Grid search of (threshold, min_region_px) for frame F1; ties go to the stricter pair.

    With `max_real_flagged`, only pairs that call at most that share of the real frames fake compete
    (false alarms cost an analyst more than misses); when none does, the pair with the fewest wins.
    With `groups` (a name per frame), the cap holds in each group's real frames (real video and real
    crops of another source, say), and `real_flagged` is the largest group's share.
    Region sizes are counted at the model's `input_size` (maps at another size are scaled), as the
    frame rule counts them everywhere.
    """
    check_max_real_flagged(max_real_flagged)
    grid, flagged, by_group, found = {}, {}, {}, {}
    names = list(groups) if groups is not None else [""] * len(labels)
    reals: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        if not label:
            reals.setdefault(names[i], []).append(i)
    fakes = [i for i, label in enumerate(labels) if label]
    for threshold in thresholds:
        for min_region in min_regions:
            predicted = [frame_is_fake(m, threshold, min_region, input_size) for m in maps]
            grid[(threshold, min_region)] = float(f1_score(labels, predicted, zero_division=0.0))
            key = (threshold, min_region)
            by_group[key] = {
                name: float(np.mean([predicted[i] for i in group])) for name, group in reals.items()
            }
            flagged[key] = max(by_group[key].values(), default=0.0)
            found[key] = float(np.mean([predicted[i] for i in fakes])) if fakes else 0.0
    allowed = [k for k in grid if max_real_flagged is None or flagged[k] <= max_real_flagged]
    if allowed:
        key = max(allowed, key=lambda k: (grid[k], k))
    else:
        key = min(grid, key=lambda k: (flagged[k], -grid[k]))
    return Choice(key[0], key[1], grid[key], grid, flagged[key], by_group[key], found[key])


@dataclass(frozen=True)
class MaskChoice:
    """The mask threshold with the best mean Dice over the fakes the frame rule flags, and every one's."""

    mask_threshold: float
    dice: float
    grid: dict[float, float]
    frames: int  # the flagged fakes the Dice is averaged over

    def lines(self) -> list[str]:
        """What a command prints of it: the Dice of every mask threshold tried, and the choice."""
        grid = ", ".join(f"{t}: {d:.3f}" for t, d in self.grid.items())
        return [
            f"mask Dice of the {self.frames} flagged fakes by mask threshold: {grid}",
            f"mask threshold {self.mask_threshold}, mask Dice {self.dice:.3f}",
        ]


def search_mask_threshold(
    maps: Sequence[np.ndarray],
    masks: Sequence[np.ndarray],
    threshold: float,
    min_region_px: int,
    input_size: tuple[int, int] | None = None,
    candidates: Sequence[float] = MASK_THRESHOLDS,
) -> MaskChoice:
    """The mask threshold (at most the frame `threshold`; ties to the higher) whose grown masks
    (`localize.inference.frame_maps.judge_map`) best match the fakes' true `masks`, by mean Dice over
    the fakes the frame rule (threshold, min_region_px) flags: a frame it misses gets no mask at any
    mask threshold. Frames with empty true masks (reals) do not count."""
    tried = sorted({float(c) for c in candidates if c <= threshold} | {float(threshold)})
    judged = []
    for prob, truth in zip(maps, masks, strict=True):
        if truth.any():
            box = full_box(prob.shape)
            scales = {box: region_scale(prob.shape, input_size)}
            if judge_map(prob, [box], threshold, min_region_px, scales)[2]:
                judged.append((prob, box, scales, truth))
    grid = {}
    for value in tried:
        dice = [
            mask_dice(judge_map(p, [b], threshold, min_region_px, s, mask_threshold=value)[0], t)
            for p, b, s, t in judged
        ]
        grid[value] = round(float(np.mean(dice)), 4) if dice else 0.0
    best = max(grid, key=lambda v: (grid[v], v))
    return MaskChoice(best, grid[best], grid, len(judged))


def write_thresholds(
    bundle_path: str | Path,
    choice: Choice,
    split: str,
    data_dir: str | Path,
    mask_choice: MaskChoice | None = None,
) -> Path:
    """Record the choice in the bundle's json (the weights, and so their checksum, are untouched)."""

    def change(meta: dict) -> None:
        meta["thresholds"] = canonical_thresholds(meta.get("thresholds", {}))
        meta["thresholds"].update(threshold=choice.threshold, min_region_px=choice.min_region_px)
        meta["thresholds"].pop("mask_threshold", None)  # one chosen for other frame thresholds is stale
        metrics = meta.setdefault("metrics", {})
        metrics[f"{split}_frame_f1_at_thresholds"] = round(choice.f1, 4)
        if mask_choice is not None:
            meta["thresholds"]["mask_threshold"] = mask_choice.mask_threshold
            metrics[f"{split}_mask_dice_at_thresholds"] = mask_choice.dice
        meta["thresholds"]["searched_on"] = f"{data_dir} ({split})"

    return update_meta(bundle_path, change)
