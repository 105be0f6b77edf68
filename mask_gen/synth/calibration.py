"""Measure make_mask against known masks on several sources at once, so no default flatters one of them.

Sources: the project's synthetic clips (bundled photos, random regions, four manipulations),
a second synthetic family made differently (`mask_gen.synth.selfblend.portrait_forgeries`: face portraits, landmark
hulls, other edits, grain, other frame size and motion) and FaceForensics++'s README frames with their
official masks, and a dataset's own mask videos when it ships them. The synthetic ones are scored under
each compression condition. Real footage with no edit at all (a dataset's originals against their own
re-encode: `original_clips`) measures the other side, the share of an unchanged frame taken for an edit
(`maps_false_area`). Used to choose
MaskConfig's defaults (benchmarks/calibrate_mask_threshold.py) and by the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localize.faces.tracker import LBPCascadeDetector, box_centre
from mask_gen.core import MaskConfig, difference_map, mask_from_distance
from mask_gen.datasets.ffpp_examples import read_examples
from mask_gen.datasets.pair import mask_frame
from mask_gen.quality import mask_dice
from mask_gen.synth.codecs.compression import degrade
from mask_gen.synth.manipulations import MANIPULATIONS, make_image_pair
from mask_gen.synth.selfblend.portrait_forgeries import portrait_pairs
from mask_gen.synth.selfblend.portraits import read_face_index
from mask_gen.synth.sources import bundled_photos, fit_side
from mask_gen.synth.video import MotionConfig, render_clip

CONDITIONS = ("none", "jpeg90", "crf23", "crf40")
# The second family's camera: another frame size, more zoom and roll than the first family's default.
PORTRAIT_MOTION = MotionConfig(
    frames=6, width=384, height=288, max_shift=0.03, max_zoom=0.08, max_rotation_deg=3.0
)


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


def portrait_clips(
    folder: str | Path, count: int, seed: int = 0, motion: MotionConfig = PORTRAIT_MOTION
) -> list[Clip]:
    """`count` clips of the second family from the face photos in `folder` (an index.csv folder such as
    ../shared/data/faces), the camera kept on the face."""
    photos = read_face_index(folder)
    rng = np.random.default_rng(seed + 1)  # not the pairs' stream: the camera varies independently
    clips = []
    for pair in portrait_pairs(photos, count, seed):
        ys, xs = np.nonzero(pair.mask)
        focus = (float(xs.mean()), float(ys.mean())) if len(xs) else None
        real, fake, masks = zip(*render_clip(pair, motion, rng, focus), strict=True)
        clips.append(Clip(list(real), list(fake), list(masks), pair.kind))
    return clips


def example_clips(folder: str | Path) -> list[Clip]:
    """FaceForensics++'s README fakes, one single-frame clip each, kind = the method."""
    return [Clip([e.real], [e.fake], [e.mask], e.method) for e in read_examples(folder)]


def dataset_mask_clips(root: str | Path, frames: int = 8) -> list[Clip]:
    """Clips of every fake in a dataset that ships mask videos (FF++'s `masks/videos/`), `frames` evenly
    spaced full frames each, kind = "method variant" ("Deepfakes c23"); fakes without a mask are left out."""
    from localize.media.reader import iter_media_frames, media_info
    from localize.media.sampling import sample_indices
    from mask_gen.datasets import load_pairs

    clips = []
    for pair in load_pairs(root):
        if pair.fake is None or pair.mask is None:
            continue
        indices = sample_indices(media_info(pair.mask).frames, frames)
        real, fake, masks = (
            [frame for _, frame in iter_media_frames(path, indices)]
            for path in (pair.real, pair.fake, pair.mask)
        )
        count = min(len(real), len(fake), len(masks))
        clips.append(
            Clip(
                real[:count],
                fake[:count],
                [mask_frame(m) for m in masks[:count]],
                pair.method_variant,
            )
        )
    return clips


def original_clips(root: str | Path, condition: str, frames: int = 8) -> list[Clip]:
    """Every original video of a dataset (FF++ layout: `original_sequences/`), `frames` evenly spaced
    frames each, against the same frames passed through `condition` (H.264 CRF 23: a re-upload): pairs
    with nothing changed, empty masks, kind = "originals CONDITION"."""
    from localize.media.reader import iter_media_frames, media_info
    from localize.media.sampling import sample_indices
    from mask_gen.datasets import load_pairs

    clips = []
    for path in sorted({pair.real for pair in load_pairs(root)}):
        real = [
            frame for _, frame in iter_media_frames(path, sample_indices(media_info(path).frames, frames))
        ]
        empty = [np.zeros(frame.shape[:2], bool) for frame in real]
        clips.append(Clip(real, degrade(real, condition), empty, f"originals {condition}"))
    return clips


def degraded(clips: Iterable[Clip], condition: str) -> list[Clip]:
    """The clips with real and fake each passed through the compression `condition`."""
    return [Clip(degrade(c.real, condition), degrade(c.fake, condition), c.masks, c.kind) for c in clips]


def clip_dice(clip: Clip, config: MaskConfig = MaskConfig()) -> list[float]:
    """Dice(make_mask(real, fake), exact mask) of each frame of `clip`."""
    return frame_dice(distance_maps([clip], config.blur_kernel), config)


def mean_dice(clips: Iterable[Clip], config: MaskConfig = MaskConfig()) -> float:
    """Mean over all frames of Dice(make_mask(real, fake), exact mask)."""
    return maps_dice(distance_maps(clips, config.blur_kernel), config)


def dice_by_kind(clips: Iterable[Clip], config: MaskConfig = MaskConfig()) -> dict[str, float]:
    """Mean Dice per manipulation kind (per method for the FF++ frames), kinds in first-seen order."""
    scores: dict[str, list[float]] = {}
    for clip in clips:
        scores.setdefault(clip.kind, []).extend(clip_dice(clip, config))
    return {kind: float(np.mean(values)) for kind, values in scores.items()}


def distance_maps(clips: Iterable[Clip], blur_kernel: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """(difference map, exact mask) of every frame: computed once, then scored under many settings."""
    return [
        (difference_map(real, fake, blur_kernel), truth)
        for clip in clips
        for real, fake, truth in zip(clip.real, clip.fake, clip.masks, strict=True)
    ]


def frame_dice(
    maps: Iterable[tuple[np.ndarray, np.ndarray]], config: MaskConfig = MaskConfig()
) -> list[float]:
    """Dice of mask_from_distance against the exact mask for each precomputed difference map (the maps
    must have been made with `config.blur_kernel`): make_mask's result, the distance computed once."""
    return [mask_dice(mask_from_distance(distance, config), truth) for distance, truth in maps]


def maps_false_area(
    maps: Iterable[tuple[np.ndarray, np.ndarray]], config: MaskConfig = MaskConfig()
) -> float:
    """Mean share of the frame that mask_from_distance marks outside the exact masks (for pairs with
    nothing changed: the share of an unchanged frame taken for an edit)."""
    return float(
        np.mean([(mask_from_distance(distance, config) & ~truth).mean() for distance, truth in maps])
    )


def maps_dice(maps: Iterable[tuple[np.ndarray, np.ndarray]], config: MaskConfig = MaskConfig()) -> float:
    """Mean of frame_dice over precomputed difference maps."""
    return float(np.mean(frame_dice(maps, config)))
