"""Faces through a video: the detector protocol and the tracker that follows each face between
searches. Detectors live in localize.faces.detectors (YuNet, the LBP cascade), box geometry in localize.faces.boxes
(re-exported here for callers of the older layout)."""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from localize.faces.boxes import Box, Landmarks, box_centre, crop, expand_box, face_crops, full_box, holds
from localize.faces.lbp import CascadeConfig, LBPCascadeDetector, _gray
from localize.faces.track_config import TrackConfig

__all__ = [
    "Box",
    "CascadeConfig",
    "FaceDetector",
    "FaceTracker",
    "LBPCascadeDetector",
    "Landmarks",
    "TrackConfig",
    "box_centre",
    "crop",
    "expand_box",
    "face_crops",
    "full_box",
    "holds",
    "landmarks_of",
]


class FaceDetector(Protocol):
    """Anything that returns face boxes (x0, y0, x1, y1) in full-frame pixels, largest first."""

    def detect(self, rgb: np.ndarray) -> list[Box]: ...


class _Track:
    """One face from frame to frame: correlation with its detected patch, refined by a detector search
    near the last box every `refine_every` frames (detectors without `detect_near` only correlate)."""

    def __init__(self, detector: FaceDetector, config: TrackConfig, rgb: np.ndarray, face: Box) -> None:
        self.detector = detector
        self.config = config
        self.start(rgb, face)

    def start(self, rgb: np.ndarray, face: Box) -> None:
        """Follow `face` from this frame on: its patch becomes the correlation template."""
        self.last = face
        self.landmarks = landmarks_of(self.detector, face)
        self._matched = 0  # frames followed by correlation since the last detector search
        self._template = _patch(rgb, face, self._scale(face))  # grey, face_px wide

    def follow(self, rgb: np.ndarray) -> Box | None:
        """The face's box in this frame, or None when both correlation and the detector lose it."""
        # between refinements: correlation first, the detector when it loses the face; at a
        # refinement: the detector first, correlation when the detector blinks
        refine = self._matched >= self.config.refine_every - 1
        faces = self._near(rgb) if refine else []
        followed = None if faces else self._correlate(rgb)
        if followed is not None:
            self._matched = 0 if refine else self._matched + 1
            if self.landmarks is not None:  # the box moved without changing size: so did the face
                dx, dy = followed[0] - self.last[0], followed[1] - self.last[1]
                self.landmarks = tuple((x + dx, y + dy) for x, y in self.landmarks)
            self.last = followed
            return followed
        if not refine:
            faces = self._near(rgb)
        if not faces:
            return None
        self.start(rgb, faces[0])
        return self.last

    def _near(self, rgb: np.ndarray) -> list[Box]:
        near = getattr(self.detector, "detect_near", None)
        return [] if near is None else near(rgb, self.last, self.config)

    def _scale(self, face: Box) -> float:
        return min(1.0, self.config.face_px / max(face[2] - face[0], face[3] - face[1]))

    def _correlate(self, rgb: np.ndarray) -> Box | None:
        """The last box moved to where its detected patch correlates best inside the search window."""
        scale = self._scale(self.last)
        window = expand_box(self.last, rgb.shape, self.config.window)
        area = _patch(rgb, window, scale)
        if area.shape[0] < self._template.shape[0] or area.shape[1] < self._template.shape[1]:
            return None
        scores = cv2.matchTemplate(area, self._template, cv2.TM_CCOEFF_NORMED)
        _, best, _, (dx, dy) = cv2.minMaxLoc(scores)
        if best < self.config.min_match:
            return None
        x0, y0, x1, y1 = self.last
        left, top = window[0] + round(dx / scale), window[1] + round(dy / scale)
        height, width = rgb.shape[:2]
        left, top = min(max(0, left), width - (x1 - x0)), min(max(0, top), height - (y1 - y0))
        return (left, top, left + x1 - x0, top + y1 - y0)


class FaceTracker:
    """Faces through consecutive frames of one video, each followed by its own track. A full scan finds
    them (largest first) on the first frame, whenever a face is lost, and every `new_face_every` frames
    while fewer than `max_faces` are tracked; a face lost is forgotten, and its id goes to the next face
    found."""

    def __init__(self, detector: FaceDetector, config: TrackConfig = TrackConfig()) -> None:
        self.detector = detector
        self.config = config
        self._tracks: dict[int, _Track] = {}
        self._skip = 0
        self._since_scan = 0

    def track(self, rgb: np.ndarray) -> dict[int, Box]:
        """The faces in this frame by track id, in id order (id 0: the first face found)."""
        if self._skip:
            self._skip -= 1
            return {}
        lost = False
        for number, face in list(self._tracks.items()):
            # a face lost, or one that drifted onto a face another track follows, is dropped
            if face.follow(rgb) is None or any(
                _overlap(face.last, other.last) for key, other in self._tracks.items() if key < number
            ):
                del self._tracks[number]
                lost = True
        room = len(self._tracks) < self.config.max_faces
        self._since_scan += 1
        if not self._tracks or (room and (lost or self._since_scan >= self.config.new_face_every)):
            self._scan(rgb)
        return {number: self._tracks[number].last for number in sorted(self._tracks)}

    def landmarks(self) -> dict[int, Landmarks | None]:
        """The 5 landmarks of each face tracked in the last frame (None where the detector gives none)."""
        return {number: self._tracks[number].landmarks for number in sorted(self._tracks)}

    def update(self, rgb: np.ndarray) -> Box | None:
        """The main face's box in this frame (the lowest track id), or None when there is no face."""
        faces = self.track(rgb)
        return next(iter(faces.values()), None)

    def _scan(self, rgb: np.ndarray) -> None:
        """A full scan: start a track on each face found that no track covers, while there is room."""
        self._since_scan = 0
        for face in self.detector.detect(rgb):
            if len(self._tracks) >= self.config.max_faces:
                break
            if any(_overlap(face, other.last) for other in self._tracks.values()):
                continue
            number = min(set(range(self.config.max_faces)) - set(self._tracks))
            self._tracks[number] = _Track(self.detector, self.config, rgb, face)
        if not self._tracks:
            self._skip = self.config.rescan_every - 1


def landmarks_of(detector: FaceDetector, box: Box) -> Landmarks | None:
    """The landmarks the detector's last search gave for `box`, if it gives landmarks at all."""
    for face in getattr(detector, "last_faces", ()):
        if face.box == box:
            return face.landmarks
    return None


def _overlap(a: Box, b: Box) -> bool:
    """True when either box holds the other's centre: the same face, found twice."""
    return holds(a, box_centre(b)) or holds(b, box_centre(a))


def _patch(rgb: np.ndarray, box: Box, scale: float) -> np.ndarray:
    """The box's content as float grey in [0, 1], shrunk by `scale`."""
    return _gray(crop(rgb, box), scale)
