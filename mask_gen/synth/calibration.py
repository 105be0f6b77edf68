"""Measure make_mask against exact ground truth on synthetic clips under compression.

Used to choose MaskConfig's default threshold (benchmarks/calibrate_mask_threshold.py) and by the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from localize.faces import LBPCascadeDetector, box_centre
from mask_gen.core import MaskConfig, make_mask
from mask_gen.quality import mask_dice
from mask_gen.synth.compression import degrade
from mask_gen.synth.manipulations import MANIPULATIONS, make_image_pair
from mask_gen.synth.sources import bundled_photos, fit_side
from mask_gen.synth.video import MotionConfig, render_clip

CONDITIONS = ("none", "jpeg90", "crf23", "crf40")


@dataclass(frozen=True)
class Clip:
    """Aligned real and fake frames of one synthetic clip with the exact masks."""

    real: list[np.ndarray]
    fake: list[np.ndarray]
    masks: list[np.ndarray]
    kind: str


def synthetic_clips(
    count: int,
    seed: int = 0,
    motion: MotionConfig = MotionConfig(frames=6),
    kinds: Sequence[str] = tuple(MANIPULATIONS),
) -> list[Clip]:
    """`count` clips cycling through the bundled photos and the manipulation kinds."""
    rng = np.random.default_rng(seed)
    photos = list(bundled_photos().values())
    detector = LBPCascadeDetector()
    clips = []
    for index in range(count):
        still = fit_side(photos[index % len(photos)], max(motion.width, motion.height))
        donor = photos[(index + 1) % len(photos)]
        faces = detector.detect(still)
        kind = kinds[index % len(kinds)]
        pair = make_image_pair(still, rng, kind, donor, faces[0] if faces else None)
        focus = box_centre(faces[0]) if faces else None
        real, fake, masks = zip(*render_clip(pair, motion, rng, focus), strict=True)
        clips.append(Clip(list(real), list(fake), list(masks), kind))
    return clips


def degraded(clips: Iterable[Clip], condition: str) -> list[Clip]:
    """The clips with real and fake each passed through the compression `condition`."""
    return [Clip(degrade(c.real, condition), degrade(c.fake, condition), c.masks, c.kind) for c in clips]


def mean_dice(clips: Iterable[Clip], config: MaskConfig = MaskConfig()) -> float:
    """Mean over all frames of Dice(make_mask(real, fake), exact mask)."""
    scores = [
        mask_dice(make_mask(real, fake, config), truth)
        for clip in clips
        for real, fake, truth in zip(clip.real, clip.fake, clip.masks, strict=True)
    ]
    return float(np.mean(scores))
