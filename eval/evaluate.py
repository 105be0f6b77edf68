"""Evaluate a bundle on a split of a mask-gen dataset: pixel, frame and video tables at its thresholds."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from eval.metrics import binary_scores, group_videos, pixel_scores
from eval.thresholds import probability_maps, split_rows
from localize.bundle import Bundle
from localize.decide import frame_is_fake
from localize.images import read_mask


def evaluate(bundle: Bundle, data_dir: str | Path, split: str = "test") -> dict:
    """{"pixel": ... (segmentation only), "frame": ..., "video_majority": ..., "video_mean": ..., counts}."""
    data_dir = Path(data_dir)
    rows = split_rows(data_dir, split)
    labels = [int(r["label"]) for r in rows]
    t = bundle.thresholds
    result: dict = {"split": split, "frames": len(rows), "thresholds": t}
    if bundle.spec.task == "segmentation":
        maps = probability_maps(bundle, data_dir, rows)
        flags = [frame_is_fake(m, t["confidence"], t["min_region_px"]) for m in maps]
        scores = [float(m.max()) for m in maps]
        pairs = (
            (m > t["confidence"], read_mask(data_dir / r["mask"])) for m, r in zip(maps, rows, strict=True)
        )
        result["pixel"] = asdict(pixel_scores(pairs))
    else:
        scores = [float(p) for p in probability_maps(bundle, data_dir, rows)]
        flags = [s > t["confidence"] for s in scores]
    result["frame"] = asdict(binary_scores(labels, flags, scores))
    result["frame_scores"] = {"labels": labels, "scores": [round(float(v), 5) for v in scores]}
    ids = [f"{r['dataset']}/{r['method']}/{r['video_id']}" for r in rows]
    votes = group_videos(ids, labels, flags, scores, t["min_fake_fraction"])
    result["videos"] = len(votes.ids)
    result["video_majority"] = asdict(binary_scores(votes.labels, votes.majority, votes.mean_scores))
    mean_flags = [s > t["confidence"] for s in votes.mean_scores]
    result["video_mean"] = asdict(binary_scores(votes.labels, mean_flags, votes.mean_scores))
    return result
