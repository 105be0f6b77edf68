"""Evaluate a bundle on a split of a mask-gen dataset: pixel, frame and video tables at its thresholds,
on the crops as they are or after a transform (a perturbation, an attack)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from eval.metrics import binary_scores, group_videos, pixel_scores
from eval.predict import Transform, outputs
from localize.inference.bundle import Bundle
from localize.inference.decide import frame_is_fake
from mask_gen.manifest import split_rows


def frame_flag(bundle: Bundle, output) -> bool:
    """The bundle's frame rule on one output: the region rule on a map, the threshold on a score."""
    t = bundle.thresholds
    if bundle.spec.task == "segmentation":
        return frame_is_fake(output, t["threshold"], t["min_region_px"], bundle.preprocessing.input_size)
    return bool(output > t["threshold"])


def evaluate(
    bundle: Bundle,
    data_dir: str | Path,
    split: str = "test",
    transform: Transform | None = None,
    desc: str | None = None,
) -> dict:
    """{"pixel": ... (segmentation only), "frame": ..., "video_majority": ..., "video_mean": ..., counts}."""
    rows = split_rows(data_dir, split)
    labels = [r.label for r in rows]
    t = bundle.thresholds
    segmentation = bundle.spec.task == "segmentation"
    flags, scores, pairs = [], [], []
    for output, mask in outputs(bundle, data_dir, rows, transform, desc=desc):
        flags.append(frame_flag(bundle, output))
        scores.append(float(output.max()))
        if segmentation:
            pairs.append((output > t["threshold"], mask))
    result: dict = {"split": split, "frames": len(rows), "thresholds": t}
    if segmentation:
        result["pixel"] = asdict(pixel_scores(pairs))
    ids = [f"{r.dataset}/{r.method}/{r.video_id}" for r in rows]
    result["frame"] = asdict(binary_scores(labels, flags, scores, groups=ids))
    result["frame_scores"] = {"labels": labels, "scores": [round(v, 5) for v in scores], "videos": ids}
    votes = group_videos(ids, labels, flags, scores, t["min_fake_fraction"])
    result["videos"] = len(votes.ids)
    result["video_majority"] = asdict(binary_scores(votes.labels, votes.majority, votes.mean_scores))
    mean_flags = [s > t["threshold"] for s in votes.mean_scores]
    result["video_mean"] = asdict(binary_scores(votes.labels, mean_flags, votes.mean_scores))
    return result
