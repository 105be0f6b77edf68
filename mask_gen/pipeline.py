"""One pair -> training samples: aligned frames, a face box from the real frame, crops and masks.

The face is found on the *real* frame and the same box crops the fake (DESIGN.md): detecting on each
side separately gives pairs different crops. The mask is cut from the full-frame distance map, which
also tells whether the two videos are aligned at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from localize.errors import ConfigError, PairError
from localize.faces import Box, FaceDetector, crop, expand_box, full_box
from localize.media import iter_media_frames, media_info
from mask_gen.core import MaskConfig, difference_map, mask_from_distance
from mask_gen.datasets.pair import Pair, split_of
from mask_gen.sampling import sample_indices


@dataclass(frozen=True)
class MaskGenConfig:
    """How frames are sampled, cropped and masked when building a training set."""

    frames: int = 32
    every: int = 0
    crop: Literal["face", "none"] = "face"
    margin: float = 1.3
    size: int = 256
    max_outside_distance: float = 20.0
    mask: MaskConfig = field(default_factory=MaskConfig)

    def __post_init__(self) -> None:
        if self.crop not in ("face", "none"):
            raise ConfigError(f"crop must be 'face' or 'none', got {self.crop!r}")
        if self.margin < 1.0:
            raise ConfigError(f"margin must be >= 1, got {self.margin}")
        if self.size < 16:
            raise ConfigError(f"size must be >= 16, got {self.size}")
        if self.frames < 0 or self.every < 0:
            raise ConfigError(f"frames and every must be >= 0, got {self.frames}, {self.every}")


@dataclass
class Sample:
    """One written crop: a row of manifest.csv (with its pixels until they are written)."""

    id: str
    split: str
    label: int
    dataset: str
    method: str
    video_id: str
    frame_index: int
    box: Box
    mask_area: int
    sha256: str
    source: str
    face_found: bool
    image: np.ndarray | None = None
    mask: np.ndarray | None = None


def sample_id(*parts: object) -> str:
    """A file-name-safe id from its parts."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(str(p) for p in parts if p != ""))


def _check_alignment(pair: Pair) -> int:
    """Frame count of the pair after checking both sides exist, match in size and in frame count."""
    if not pair.real.is_file():
        raise PairError("original not found", pair.real)
    real_info = media_info(pair.real)
    if pair.fake is None:
        return real_info.frames
    if not pair.fake.is_file():
        raise PairError("fake not found", pair.fake)
    fake_info = media_info(pair.fake)
    if (fake_info.width, fake_info.height) != (real_info.width, real_info.height):
        raise PairError(
            f"frame size mismatch: fake {fake_info.width}x{fake_info.height}, "
            f"real {real_info.width}x{real_info.height}",
            pair.fake,
        )
    if fake_info.frames != real_info.frames:
        raise PairError(f"frame count mismatch: fake {fake_info.frames}, real {real_info.frames}", pair.fake)
    return real_info.frames


def _face_box(frame: np.ndarray, detector: FaceDetector | None, config: MaskGenConfig) -> tuple[Box, bool]:
    if config.crop == "none" or detector is None:
        return full_box(frame.shape), config.crop == "none"
    faces = detector.detect(frame)
    if not faces:
        return full_box(frame.shape), False
    return expand_box(faces[0], frame.shape, config.margin), True


def _resize(image: np.ndarray, size: int) -> np.ndarray:
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def _make_sample(
    pair: Pair, label: int, index: int, crop_rgb: np.ndarray, mask: np.ndarray, **fields
) -> Sample:
    image = _resize(crop_rgb, fields.pop("size"))
    mask = cv2.resize(mask.astype(np.uint8), image.shape[1::-1], interpolation=cv2.INTER_NEAREST).astype(bool)
    return Sample(
        label=label,
        frame_index=index,
        mask_area=int(mask.sum()),
        sha256=hashlib.sha256(image.tobytes()).hexdigest(),
        image=image,
        mask=mask,
        dataset=pair.dataset,
        split=split_of(pair),
        **fields,
    )


def _frames(pair: Pair, indices: list[int]):
    """Aligned (index, real, fake-or-None) triples; fails if either side decodes fewer frames."""
    reals = iter_media_frames(pair.real, indices)
    fakes = iter_media_frames(pair.fake, indices) if pair.fake is not None else None
    count = 0
    for index, real in reals:
        fake = None
        if fakes is not None:
            fake_index, fake = next(fakes, (None, None))
            if fake_index != index:
                raise PairError(f"decoded only {count} of {len(indices)} sampled frames", pair.fake)
        count += 1
        yield index, real, fake
    if count < len(indices):
        raise PairError(f"decoded only {count} of {len(indices)} sampled frames", pair.real)


def process_pair(pair: Pair, config: MaskGenConfig, detector: FaceDetector | None) -> list[Sample]:
    """All samples of a pair, real negatives first per frame; raises PairError/MediaError on bad input."""
    frame_count = _check_alignment(pair)
    indices = sample_indices(frame_count, config.frames, config.every)
    real_id = sample_id(pair.dataset, "real", pair.variant, pair.group)
    samples: list[Sample] = []
    for index, real, fake in _frames(pair, indices):
        box, face_found = _face_box(real, detector, config)
        common = dict(size=config.size, box=box, source="", face_found=face_found)
        real_crop = crop(real, box)
        empty = np.zeros(real_crop.shape[:2], bool)
        samples.append(
            _make_sample(
                pair,
                0,
                index,
                real_crop,
                empty,
                id=f"{real_id}-f{index:06d}",
                method="real",
                video_id=pair.group,
                **{**common, "source": str(pair.real)},
            )
        )
        if fake is None:
            continue
        distance = difference_map(real, fake, config.mask.blur_kernel)
        crop_distance = crop(distance, box)
        mask = mask_from_distance(crop_distance, config.mask)
        _check_outside(distance, box, pair, index, config)
        fake_id = sample_id(pair.dataset, pair.method, pair.variant, pair.video_id, f"f{index:06d}")
        samples.append(
            _make_sample(
                pair,
                1,
                index,
                crop(fake, box),
                mask,
                id=fake_id,
                method=pair.method,
                video_id=pair.video_id,
                **{**common, "source": str(pair.fake)},
            )
        )
    return samples


def _check_outside(distance: np.ndarray, box: Box, pair: Pair, index: int, config: MaskGenConfig) -> None:
    """Refuse a pair whose frames differ far outside the face: they are not the same footage."""
    outside = np.ones(distance.shape, bool)
    x0, y0, x1, y1 = box
    outside[y0:y1, x0:x1] = False
    if not outside.any():
        return
    mean = float(distance[outside].mean())
    if mean > config.max_outside_distance:
        raise PairError(
            f"real and fake are not aligned at frame {index}: mean difference outside the face is "
            f"{mean:.1f} (limit {config.max_outside_distance})",
            pair.fake,
        )
