"""Face detectors by name, like the models' registry: `yunet` (default) and `lbp` (offline fallback).

Every detector's boxes follow one convention, YuNet's (OpenCV's `cv2.FaceDetectorYN`: a box from the
brow to the chin, plus 5 landmarks and a score), so a crop rule defined as "margin x the box's larger
side" gives the same crop whichever detector found the face. The LBP cascade's square boxes are mapped
onto it by a calibrated scale and offset (`LBP_TO_YUNET`, measured on frames where both find the face).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from localize.common.checksum import sha256_of
from localize.common.errors import ConfigError
from localize.faces.face_model import HOW_TO_SUPPLY, locate_face_model
from localize.faces.tracker import (
    Box,
    CascadeConfig,
    FaceDetector,
    LBPCascadeDetector,
    TrackConfig,
    crop,
    expand_box,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Face:
    """One detected face: box (x0, y0, x1, y1) in frame pixels, score, and 5 landmarks (x, y) when the
    detector gives them (right eye, left eye, nose tip, right and left mouth corners)."""

    box: Box
    score: float
    landmarks: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class YuNetConfig:
    """Settings of YuNet: score and NMS thresholds, and the long side frames are shrunk to."""

    score_threshold: float = 0.6
    nms_threshold: float = 0.3
    detect_side: int = 640
    near_face_px: int = 96  # a face is shrunk to about this size when searched near its last box

    def __post_init__(self) -> None:
        if not (0 < self.score_threshold < 1 and 0 < self.nms_threshold < 1):
            raise ConfigError("YuNet score and NMS thresholds must be in (0, 1)")
        if self.detect_side < 64 or self.near_face_px < 24:
            raise ConfigError(f"detect_side must be >= 64 and near_face_px >= 24, got {self.detect_side}")


class YuNetDetector:
    """Faces with OpenCV's YuNet: box, score and 5 landmarks; turned faces included."""

    name = "yunet"

    def __init__(
        self, model_path: str | Path, config: YuNetConfig = YuNetConfig(), source: str = "given"
    ) -> None:
        """`source` says where the file was found (`localize.faces.face_model.FaceModelFile.source`)."""
        self.config = config
        self.model_path, self.source = Path(model_path), source
        self.sha256 = sha256_of(self.model_path)
        self.last_faces: list[Face] = []  # of the latest search: the tracker takes landmarks from here
        self._net = cv2.FaceDetectorYN.create(
            str(self.model_path), "", (320, 320), config.score_threshold, config.nms_threshold, 5000
        )

    def _run(self, rgb: np.ndarray, scale: float, offset: tuple[int, int]) -> list[Face]:
        height, width = rgb.shape[:2]
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if min(size) < 16:
            return []
        # shrink first: the channel swap then touches the small copy, not the whole frame (they commute)
        small = rgb if scale == 1.0 else cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
        self._net.setInputSize(size)
        _, found = self._net.detect(bgr)
        faces = []
        ox, oy = offset
        for row in [] if found is None else found:
            x, y, w, h = (float(v) / scale for v in row[:4])
            x0, y0 = max(0, round(x)), max(0, round(y))
            x1, y1 = min(width, round(x + w)), min(height, round(y + h))
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            marks = tuple(
                (ox + float(row[4 + 2 * i]) / scale, oy + float(row[5 + 2 * i]) / scale) for i in range(5)
            )
            faces.append(Face((ox + x0, oy + y0, ox + x1, oy + y1), float(row[14]), marks))
        faces.sort(key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]), reverse=True)
        self.last_faces = faces
        return faces

    def detect_faces(self, rgb: np.ndarray) -> list[Face]:
        """Every face in the frame, largest first (the frame shrunk to `detect_side` on its long side)."""
        scale = min(1.0, self.config.detect_side / max(rgb.shape[:2]))
        return self._run(rgb, scale, (0, 0))

    def detect(self, rgb: np.ndarray) -> list[Box]:
        """Face boxes, largest first."""
        return [face.box for face in self.detect_faces(rgb)]

    def detect_near(self, rgb: np.ndarray, face: Box, track: TrackConfig) -> list[Box]:
        """Faces inside a window around `face`, searched at about `near_face_px`: a fraction of a full pass."""
        window = expand_box(face, rgb.shape, track.window)
        size = max(face[2] - face[0], face[3] - face[1], 1)
        scale = min(1.0, self.config.near_face_px / size)
        faces = self._run(crop(rgb, window), scale, window[:2])
        low, high = size * track.min_size_ratio, size * track.max_size_ratio
        return [f.box for f in faces if low <= max(f.box[2] - f.box[0], f.box[3] - f.box[1]) <= high]


# LBP square box (centre cx, cy; side s) -> YuNet box: centre (cx + dx*s, cy + dy*s), w = kw*s, h = kh*s.
# Measured with benchmarks/calibrate_lbp_boxes.py (training portraits where both detectors find the face).
LBP_TO_YUNET = {"dx": -0.02, "dy": 0.011, "kw": 0.83, "kh": 1.098}


def lbp_to_yunet(box: Box, frame_shape: tuple[int, ...], mapping: dict = LBP_TO_YUNET) -> Box:
    """An LBP cascade box in YuNet's convention (clipped to the frame)."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2 + mapping["dx"] * side, (y0 + y1) / 2 + mapping["dy"] * side
    half_w, half_h = mapping["kw"] * side / 2, mapping["kh"] * side / 2
    height, width = frame_shape[:2]
    return (
        max(0, round(cx - half_w)),
        max(0, round(cy - half_h)),
        min(width, round(cx + half_w)),
        min(height, round(cy + half_h)),
    )


def yunet_margin(record) -> float:
    """A preprocessing record's margin in YuNet's convention: a crop of `margin` LBP box sides is
    margin / kh YuNet box heights (YuNet's box is taller than the cascade's square)."""
    if record.detector == "lbp":
        return record.margin / max(LBP_TO_YUNET["kh"], LBP_TO_YUNET["kw"])
    return record.margin


class LBPDetector:
    """scikit-image's LBP frontal cascade, its boxes mapped to YuNet's convention; no landmarks."""

    name = "lbp"
    sha256 = None

    def __init__(self, config: CascadeConfig = CascadeConfig()) -> None:
        self._cascade = LBPCascadeDetector(config)

    def detect_faces(self, rgb: np.ndarray) -> list[Face]:
        return [Face(box, 1.0) for box in self.detect(rgb)]

    def detect(self, rgb: np.ndarray) -> list[Box]:
        return [lbp_to_yunet(b, rgb.shape) for b in self._cascade.detect(rgb)]

    def detect_near(self, rgb: np.ndarray, face: Box, track: TrackConfig) -> list[Box]:
        return [lbp_to_yunet(b, rgb.shape) for b in self._cascade.detect_near(rgb, face, track)]


_WARNED: set[str] = set()


def _yunet(face_model: str | Path | None) -> FaceDetector:
    found = locate_face_model(face_model)
    if found is None:
        if "yunet" not in _WARNED:  # once per run
            _WARNED.add("yunet")
            log.warning(
                "no YuNet face model file found: using the LBP cascade (misses turned faces); %s",
                HOW_TO_SUPPLY,
            )
        return LBPDetector()
    return YuNetDetector(found.path, source=found.source)


def _lbp(face_model: str | Path | None) -> FaceDetector:
    return LBPDetector()


_DETECTORS: dict[str, Callable[[str | Path | None], FaceDetector]] = {"yunet": _yunet, "lbp": _lbp}


def list_detectors() -> list[str]:
    """Registered detector names."""
    return sorted(_DETECTORS)


def build_detector(name: str = "yunet", face_model: str | Path | None = None) -> FaceDetector:
    """The detector `name` ("yunet" falls back to "lbp", with one warning, when its file cannot be had)."""
    if name not in _DETECTORS:
        raise ConfigError(f"unknown face detector {name!r}; choose from {', '.join(list_detectors())}")
    return _DETECTORS[name](face_model)


def describe(detector: FaceDetector) -> dict:
    """For provenance: the detector that ran, its model file's SHA-256 ("lbp cascade" when LBP) and where
    that file was found (`source`, YuNet only)."""
    name = getattr(detector, "name", type(detector).__name__)
    sha = getattr(detector, "sha256", None)
    record = {"detector": name, "sha256": sha or ("lbp cascade (scikit-image)" if name == "lbp" else None)}
    if getattr(detector, "source", None):
        record["source"] = detector.source
    return record
