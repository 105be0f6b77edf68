"""Inference: where a face image or video was manipulated, per frame, with the seed's verdicts.

The face is found (YuNet by default, tracked through a video), cropped as the bundle's preprocessing
record says (crop mode, margin in its detector's box convention), resized and normalised by the bundle's
one predict path, and the probability map pasted back into full-frame coordinates. With crop="none" the
whole frame is used: resized when it fits the input, else covered with overlapping tiles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from localize.common.errors import ConfigError, MediaError
from localize.faces.detectors import build_detector, yunet_margin
from localize.faces.face_model import cache_dir
from localize.faces.tracker import Box, FaceDetector, FaceTracker, TrackConfig, crop, face_crops
from localize.inference.bundle import Bundle, bundle_paths, canonical_thresholds, load_bundle
from localize.inference.decide import region_scale
from localize.inference.frame_maps import assemble, judge_map, tiles
from localize.inference.onnx_cache import with_cached_onnx
from localize.inference.onnx_runtime import use_onnx
from localize.inference.results import FramePrediction, FrameSummary, VideoPrediction, ends_early, summarize
from localize.media.images import DEFAULT_MAX_PIXELS
from localize.media.interlace import DEINTERLACED, without_combing
from localize.media.reader import iter_timed_media_frames, media_info
from localize.media.sampling import sample_indices
from localize.media.video import VideoInfo

logger = logging.getLogger(__name__)

__all__ = [
    "FramePrediction",
    "FrameSummary",
    "InferenceConfig",
    "Localizer",
    "VideoPlan",
    "VideoPrediction",
    "default_bundle_path",
    "summarize",
]

DEFAULT_BUNDLE = "default_sbi_mobilenet_v2"


def default_bundle_path() -> Path:
    """The bundled default model's json (shipped inside the package)."""
    return Path(str(resources.files("localize") / "assets" / f"{DEFAULT_BUNDLE}.json"))


def is_default(bundle: Bundle) -> bool:
    """Whether the bundle was loaded from the package's default model."""
    return (
        bundle.path is not None and bundle_paths(bundle.path)[0].resolve() == default_bundle_path().resolve()
    )


@dataclass(frozen=True)
class InferenceConfig:
    """How frames are cropped, batched and judged; None values come from the bundle (its preprocessing
    record for crop and margin, its thresholds for the rest). `margin` is in YuNet's box convention;
    `detector` names the face detector (default yunet, which falls back to lbp without its file)."""

    crop: Literal["face", "none"] | None = None
    margin: float | None = None
    detector: str | None = None
    face_model: str | None = None
    batch_size: int = 8
    tile_overlap: float = 0.25
    threshold: float | None = None
    mask_threshold: float | None = None  # a flagged frame's mask grows through P > this (<= threshold)
    min_region_px: int | None = None
    min_fake_fraction: float | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS  # images above this are refused (decompression bombs)
    max_faces: int = 1  # faces analysed per frame (crop="face")
    # auto: onnxruntime when the bundle has NAME.onnx, or for the shipped default (exported once to the cache)
    runtime: Literal["auto", "torch", "onnx"] = "auto"
    flip_average: bool | None = None  # None: as the bundle records (its thresholds were searched that way)

    def __post_init__(self) -> None:
        if self.crop not in (None, "face", "none"):
            raise ConfigError(f"crop must be 'face' or 'none', got {self.crop!r}")
        if self.margin is not None and not 1.0 <= self.margin <= 4.0:
            raise ConfigError(f"margin must be in [1, 4], got {self.margin}")
        if not 0 <= self.tile_overlap < 1:
            raise ConfigError(f"tile_overlap must be in [0, 1), got {self.tile_overlap}")
        if self.batch_size < 1 or self.max_faces < 1:
            raise ConfigError(
                f"batch_size and max_faces must be >= 1, got {self.batch_size}, {self.max_faces}"
            )
        if self.runtime not in ("auto", "torch", "onnx"):
            raise ConfigError(f"runtime must be auto, torch or onnx, got {self.runtime!r}")
        for name in ("threshold", "mask_threshold", "min_fake_fraction"):  # `not 0 <= x <= 1` refuses NaN
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} is a share and must be in [0, 1], got {value}")
        if self.min_region_px is not None and self.min_region_px < 0:
            raise ConfigError(f"min_region_px must be >= 0, got {self.min_region_px}")


def _sampled(info: VideoInfo, every: int, fps: float, max_frames: int) -> list[int]:
    """Frame indices of a video: every k-th, at `fps` per second, or `max_frames` evenly spaced."""
    if fps:
        every = max(1, round(info.fps / fps)) if info.fps else 1
    if every:
        indices = sample_indices(info.frames, every=every)
        return indices[:max_frames] if max_frames else indices
    return sample_indices(info.frames, frames=max_frames)


@dataclass(frozen=True)
class VideoPlan:
    """What a video's analysis covers: its header (frame count, size, rate) and the frame indices."""

    info: VideoInfo
    indices: tuple[int, ...]


class Localizer:
    """A model bundle plus the crop/decision settings: predict_image and predict_video."""

    def __init__(
        self,
        bundle: Bundle,
        config: InferenceConfig = InferenceConfig(),
        detector: FaceDetector | None = None,
    ) -> None:
        self.bundle = bundle
        record = bundle.preprocessing
        self.crop_mode = config.crop or record.crop
        self.margin = config.margin if config.margin is not None else yunet_margin(record)
        self.config = config
        if detector is None and self.crop_mode == "face":
            detector = build_detector(config.detector or "yunet", config.face_model)
        self.detector = detector
        thresholds = bundle.thresholds
        self.threshold = config.threshold if config.threshold is not None else float(thresholds["threshold"])
        # the mask grows as far as the bundle's own mask threshold, else only over the frame regions
        own = canonical_thresholds(bundle.meta.get("thresholds", {})).get("mask_threshold")
        chosen = (v for v in (config.mask_threshold, own, self.threshold) if v is not None)
        self.mask_threshold = float(next(chosen))
        self.min_region_px = (
            config.min_region_px if config.min_region_px is not None else int(thresholds["min_region_px"])
        )
        self.min_fake_fraction = (
            config.min_fake_fraction
            if config.min_fake_fraction is not None
            else float(thresholds["min_fake_fraction"])
        )
        if config.flip_average is not None and config.flip_average != bundle.flip_average:
            logger.warning(
                "flip averaging turned %s against the bundle's record; its thresholds were searched with it %s",
                "on" if config.flip_average else "off",
                "off" if config.flip_average else "on",
            )
            # a copy, so the caller's bundle keeps its record
            bundle = self.bundle = replace(
                bundle,
                meta={
                    **bundle.meta,
                    "test_time": {**bundle.meta.get("test_time", {}), "hflip": config.flip_average},
                },
            )
        self.size = tuple(record.input_size)
        self.segmentation = bundle.spec.task == "segmentation"
        if config.runtime != "torch" and "onnx" not in bundle.meta and is_default(bundle):
            # the package carries no ONNX file: the default's export is made once into the cache
            bundle = self.bundle = with_cached_onnx(bundle, cache_dir())
        wants_onnx = config.runtime == "onnx" or (
            config.runtime == "auto" and "onnx" in bundle.meta and bundle.path
        )
        if wants_onnx and bundle.session is None:
            use_onnx(bundle)
        elif config.runtime == "torch":
            bundle.session = None

    @classmethod
    def load(cls, path: str | Path | None = None, config: InferenceConfig = InferenceConfig()) -> Localizer:
        """The bundle at `path`, or the default model shipped with forgeloc."""
        return cls(load_bundle(default_bundle_path() if path is None else path), config)

    # --- the model on crops -------------------------------------------------------------------------

    def _run(self, crops: list[np.ndarray]) -> list[np.ndarray | float]:
        """Probability maps (segmentation, at each crop's size) or P(fake) scores for RGB crops."""
        out = self.bundle.predict(crops, self.config.batch_size)
        return list(out) if self.segmentation else [float(v) for v in out]

    def _tiles(self, shape: tuple[int, ...]) -> list[Box]:
        return tiles(shape, self.size, self.config.tile_overlap)

    def _predict_frames(
        self, frames: list[tuple[np.ndarray, list[Box], bool, int, float, list]]
    ) -> list[FramePrediction]:
        """Predictions for (frame, crop boxes, face found, index, time, landmarks) tuples, batched through
        the model."""
        jobs = []  # (frame number, box) per model input
        for number, (frame, boxes, *_rest) in enumerate(frames):
            jobs += [(number, b) for b in (self._tiles(frame.shape) if self.crop_mode == "none" else boxes)]
        outputs: list = []
        for start in range(0, len(jobs), self.config.batch_size):
            chunk = jobs[start : start + self.config.batch_size]
            outputs += self._run([crop(frames[n][0], b) for n, b in chunk])
        maps = assemble([f[0].shape for f in frames], jobs, outputs, average=self.crop_mode == "none")
        results = []
        for (image, boxes, face_found, index, time, marks), prob in zip(frames, maps, strict=True):
            scales = self._region_scales(boxes, prob.shape) if self.segmentation else {}
            mask, score, found = judge_map(
                prob,
                boxes,
                self.threshold,
                self.min_region_px,
                scales,
                self.segmentation,
                self.mask_threshold,
            )
            prediction = FramePrediction(
                prob, mask, score, bool(found), found, boxes[0], face_found, index, time, image, list(boxes)
            )
            prediction.landmarks = marks
            results.append(prediction)
        return results

    def _region_scales(self, boxes: list[Box], shape: tuple[int, ...]) -> dict[Box, float]:
        """Frame pixels per model-input pixel of each crop: min_region_px is counted at the model's input
        resolution, as it was when the thresholds were searched (a 300 px face crop seen at 128 px is 5.5x
        larger)."""
        if self.crop_mode == "none" and len(self._tiles(shape)) > 1:
            return dict.fromkeys(boxes, 1.0)  # tiles are analysed at native resolution
        return {box: region_scale((box[3] - box[1], box[2] - box[0]), self.size) for box in boxes}

    # --- public API -----------------------------------------------------------------------------------

    def _tracker(self) -> FaceTracker | None:
        """A fresh face tracker for one image or video (None with crop="none")."""
        if self.crop_mode == "none" or self.detector is None:
            return None
        return FaceTracker(self.detector, TrackConfig(max_faces=self.config.max_faces))

    def _boxes(self, frame: np.ndarray, tracker: FaceTracker | None) -> tuple[list[Box], bool, list]:
        """The crops to analyse (one per face, with the margin), whether a face was found, and each
        face's landmarks (None where the detector gives none)."""
        faces = tracker.track(frame) if tracker is not None else {}
        boxes = list(face_crops(faces, frame.shape, self.margin).values())
        marks = list(tracker.landmarks().values()) if faces else []
        return boxes, bool(faces) or self.crop_mode == "none", marks

    def predict_image(self, rgb: np.ndarray) -> FramePrediction:
        """Where one RGB uint8 (H, W, 3) image was manipulated. An image whose pixels comb (a frame of
        interlaced video) is analysed rebuilt from its top field, with a warning, as files are."""
        if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise MediaError(f"expected an RGB uint8 (H, W, 3) array, got {getattr(rgb, 'shape', type(rgb))}")
        rgb, rebuilt = without_combing(rgb)
        if rebuilt:
            logger.warning(DEINTERLACED, "the image", "combing")
        boxes, face_found, marks = self._boxes(rgb, self._tracker())
        return self._predict_frames([(rgb, boxes, face_found, 0, 0.0, marks)])[0]

    def plan(self, path: str | Path, every: int = 0, fps: float = 0, max_frames: int = 32) -> VideoPlan:
        """What predict_video will analyse of a video (or image): its header, probed once, and the frame
        indices (every k-th, or at `fps` per second, or `max_frames` evenly spaced; default 32)."""
        info = media_info(path, self.config.max_pixels)
        return VideoPlan(info, tuple(_sampled(info, every, fps, max_frames)))

    def iter_video(
        self, path: str | Path, every: int = 0, fps: float = 0, max_frames: int = 32
    ) -> Iterator[FramePrediction]:
        """Stream frame predictions of a video (or image), a batch at a time."""
        yield from self._iter_planned(path, self.plan(path, every, fps, max_frames))

    def _iter_planned(self, path: str | Path, plan: VideoPlan) -> Iterator[FramePrediction]:
        """Frame predictions of the frames a plan of this video (or image) names."""
        info, indices = plan.info, plan.indices
        tracker = self._tracker()
        pending: list = []
        count = 0
        combed = False  # said once per input
        for index, time, frame in iter_timed_media_frames(path, indices, self.config.max_pixels):
            if time is None:  # a stream without timestamps: its nominal rate
                time = index / info.fps if info.fps else 0.0
            frame, rebuilt = without_combing(frame)  # interlaced once, re-encoded without the flag
            if rebuilt and not combed:
                combed = True
                logger.warning(DEINTERLACED, path, f"combing in frame {index}")
            boxes, face_found, marks = self._boxes(frame, tracker)
            pending.append((frame, boxes, face_found, index, time, marks))
            count += 1
            if len(pending) == self.config.batch_size:
                yield from self._predict_frames(pending)
                pending = []
        if pending:
            yield from self._predict_frames(pending)
        if count == 0:
            raise MediaError("no decodable frames", path)
        if count < len(indices):  # the header promised more frames than the file holds
            logger.warning("%s: %s", path, ends_early(info.frames, count, len(indices)))

    def predict_video(
        self,
        path: str | Path,
        every: int = 0,
        fps: float = 0,
        max_frames: int = 32,
        on_frame: Callable[[FramePrediction], None] | None = None,
        plan: VideoPlan | None = None,
    ) -> VideoPrediction:
        """Frame summaries and the video verdict; `on_frame` sees each full prediction as it is made. A
        `plan` made by plan() (to show progress, say) is used as it is instead of sampling again."""
        plan = plan or self.plan(path, every, fps, max_frames)
        video = summarize(self._iter_planned(path, plan), self.min_fake_fraction, on_frame)
        video.frames_sampled, video.frames_declared = len(plan.indices), plan.info.frames
        return video
