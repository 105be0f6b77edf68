"""One pair -> training samples: aligned frames, a face box from the real frame, crops and masks.

The face is found on the *real* frame and the same box crops the fake (DESIGN.md): detecting on each
side separately gives pairs different crops. The mask is cut from the full-frame distance map, which
also tells whether the two videos are aligned at all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from localize.common.errors import ForgelocError, PairError
from localize.faces.tracker import Box, FaceDetector, FaceTracker, TrackConfig, crop, face_crops, full_box
from localize.media.reader import iter_media_frames
from localize.media.sampling import sample_indices
from mask_gen.alignment import check_alignment, check_outside, shrink
from mask_gen.config import MaskGenConfig
from mask_gen.core import difference_map, mask_from_distance
from mask_gen.datasets.pair import Pair, mask_frame, split_of
from mask_gen.quality import mask_dice


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
    agreement: float | None = None  # Dice of the difference mask against the dataset's (compare_masks)


def sample_id(*parts: object) -> str:
    """A file-name-safe id from its parts, unique for distinct parts: where characters had to be
    replaced ("x y", "x+y", "日本"), a short hash of the original text keeps names that sanitise alike
    ("x_y", "中国") apart.

    Examples:
        >>> sample_id("Deepfakes", "000_003", 12)
        'Deepfakes-000_003-12'
        >>> sample_id("x y") != sample_id("x_y") != sample_id("x+y")
        True
    """
    raw = "-".join(str(p) for p in parts if p != "")
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", raw)
    if safe == raw:
        return safe
    return f"{safe}-{hashlib.sha1(raw.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _crop_boxes(
    faces: dict[int, Box], shape: tuple[int, ...], config: MaskGenConfig
) -> tuple[dict[int, Box], bool]:
    """The crop of each tracked face by face number, or {0: the whole frame}; and whether faces were
    found (with --crop none the whole frame is the intended crop)."""
    if config.crop == "none":
        return {0: full_box(shape)}, True
    return face_crops(faces, shape, config.margin), bool(faces)


def _face_suffix(number: int) -> str:
    """The id suffix of a frame's face `number`: none for the first, "-p1", "-p2"... for the others."""
    return f"-p{number}" if number else ""


def _resize(image: np.ndarray, size: int) -> np.ndarray:
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def crop_distance(real: np.ndarray, fake: np.ndarray, box: Box, blur_kernel: int) -> np.ndarray:
    """difference_map of the full frames cut to `box`, computed on the box plus the blur's reach only."""
    height, width = real.shape[:2]
    x0, y0, x1, y1 = box
    pad = blur_kernel // 2
    padded = (max(0, x0 - pad), max(0, y0 - pad), min(width, x1 + pad), min(height, y1 + pad))
    distance = difference_map(crop(real, padded), crop(fake, padded), blur_kernel)
    left, top = x0 - padded[0], y0 - padded[1]
    return distance[top : top + y1 - y0, left : left + x1 - x0]


def _sample(crop_rgb: np.ndarray, mask: np.ndarray, size: int, **row) -> Sample:
    """A sample resized to the training size; `row` holds its other manifest fields."""
    image = _resize(crop_rgb, size)
    mask = cv2.resize(mask.astype(np.uint8), image.shape[1::-1], interpolation=cv2.INTER_NEAREST).astype(bool)
    return Sample(
        mask_area=int(mask.sum()),
        sha256=hashlib.sha256(image.tobytes()).hexdigest(),
        image=image,
        mask=mask,
        **row,
    )


def process_group(
    pairs: list[Pair], config: MaskGenConfig, detector: FaceDetector | None
) -> dict[str, list[Sample] | ForgelocError]:
    """Samples of pairs that share one original, keyed by pair: the original is decoded and its face
    tracked once for all its fakes (FF++ pairs each original with five methods). A pair that fails gets
    its error instead; the others go on."""
    results: dict[str, list[Sample] | ForgelocError] = {}
    live: list[Pair] = []
    frame_count = 0
    for pair in pairs:
        try:
            frame_count = check_alignment(pair, config)
            live.append(pair)
        except ForgelocError as error:
            results[pair.key] = error
    if not live:
        return results
    first, real_path = live[0], live[0].real
    indices = sample_indices(frame_count, config.frames, config.every)
    streams = {pair.key: _FakeStreams(pair, indices, config) for pair in live if pair.fake is not None}
    samples: dict[str, list[Sample]] = {pair.key: [] for pair in live}
    tracker = (
        FaceTracker(detector, TrackConfig(max_faces=config.max_faces))
        if detector is not None and config.crop == "face"
        else None
    )
    real_id = sample_id(first.dataset, "real", first.variant, first.group)
    decoded = 0
    try:
        for index, real in iter_media_frames(real_path, indices):
            boxes, face_found = _crop_boxes(tracker.track(real) if tracker else {}, real.shape, config)
            small_real = shrink(real)  # shared by every fake's alignment check
            negatives = []
            for number, box in boxes.items():
                real_crop = crop(real, box)
                negatives.append(
                    _sample(
                        real_crop,
                        np.zeros(real_crop.shape[:2], bool),
                        config.size,
                        id=f"{real_id}-f{index:06d}{_face_suffix(number)}",
                        label=0,
                        method="real",
                        video_id=first.group,
                        source=str(real_path),
                        **_common(first, index, box, face_found, config),
                    )
                )
            for pair in live:
                if pair.key in results:
                    continue
                samples[pair.key] += negatives
                if pair.fake is None:
                    continue
                try:
                    samples[pair.key] += streams[pair.key].samples(index, real, small_real, boxes, face_found)
                except ForgelocError as error:
                    results[pair.key] = error
                    streams[pair.key].close()
            decoded += 1
        if decoded < len(indices):
            raise PairError(f"decoded only {decoded} of {len(indices)} sampled frames", real_path)
    except ForgelocError as error:
        for pair in live:
            results.setdefault(pair.key, error)
    for pair in live:
        results.setdefault(pair.key, samples[pair.key])
    return results


def _common(pair: Pair, index: int, box: Box, face_found: bool, config: MaskGenConfig) -> dict:
    """Manifest fields a frame's real and fake samples share."""
    return dict(
        dataset=pair.dataset,
        split=split_of(pair, config.split_by),
        frame_index=index,
        box=box,
        face_found=face_found,
    )


class _FakeStreams:
    """A fake's frames (and its dataset mask frames, with --masks dataset), read in step with the original."""

    def __init__(self, pair: Pair, indices: list[int], config: MaskGenConfig) -> None:
        assert pair.fake is not None
        self.pair, self.config = pair, config
        self.frames = iter_media_frames(pair.fake, indices)
        self.masks = (
            iter_media_frames(pair.mask, indices) if config.masks == "dataset" and pair.mask else None
        )

    def _next(self, stream: Iterator[tuple[int, np.ndarray]], index: int, path: Path) -> np.ndarray:
        got, frame = next(stream, (None, None))
        if got != index:
            raise PairError(f"decoded only part of the sampled frames (stopped before frame {index})", path)
        return frame

    def samples(
        self, index: int, real: np.ndarray, small_real: np.ndarray, boxes: dict[int, Box], face_found: bool
    ) -> list[Sample]:
        """The fake's samples at frame `index` of the original, one per crop box of the original."""
        pair, config = self.pair, self.config
        fake = self._next(self.frames, index, pair.fake)
        check_outside(small_real, shrink(fake), real.shape, list(boxes.values()), pair, index, config)
        truth = mask_frame(self._next(self.masks, index, pair.mask)) if self.masks is not None else None
        found = []
        for number, box in boxes.items():
            diff = None
            if truth is None or config.compare_masks:
                diff = mask_from_distance(
                    crop_distance(real, fake, box, config.mask.blur_kernel), config.mask
                )
            mask = crop(truth, box) if truth is not None else diff
            found.append(
                _sample(
                    crop(fake, box),
                    mask,
                    config.size,
                    id=sample_id(pair.dataset, pair.method, pair.variant, pair.video_id, f"f{index:06d}")
                    + _face_suffix(number),
                    label=1,
                    method=pair.method,
                    video_id=pair.video_id,
                    source=str(pair.fake),
                    agreement=mask_dice(diff, mask) if truth is not None and diff is not None else None,
                    **_common(pair, index, box, face_found, config),
                )
            )
        return found

    def close(self) -> None:
        for stream in (self.frames, self.masks):
            if stream is not None:
                stream.close()
