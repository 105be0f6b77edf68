"""What inference returns: a frame's prediction (with its maps), the light summary a video keeps of each
frame, the video's verdict, and the video rule applied to a stream of frames."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from localize.faces.boxes import Box, Landmarks
from localize.inference.decide import Region, video_is_fake


@dataclass
class FramePrediction:
    """One analysed frame: full-frame P(fake) map, its mask and regions, score and verdict; `box` is the
    main face's crop (the whole frame when no face was found), `faces` every crop analysed."""

    prob: np.ndarray
    mask: np.ndarray
    score: float
    is_fake: bool
    regions: list[Region]
    box: Box
    face_found: bool
    index: int = 0
    time: float = 0.0
    image: np.ndarray | None = None  # the analysed frame, for overlays
    faces: list[Box] = field(default_factory=list)
    landmarks: list[Landmarks | None] = field(
        default_factory=list
    )  # per face found, when the detector gives them


@dataclass
class FrameSummary:
    """What a video keeps of each frame (no pixel maps, so memory does not grow with its length)."""

    index: int
    time: float
    box: Box
    face_found: bool
    score: float
    is_fake: bool
    regions: list[Region]
    faces: list[Box] = field(default_factory=list)
    landmarks: list[Landmarks | None] = field(default_factory=list)


@dataclass
class VideoPrediction:
    """A video's frames, its verdict and the share of frames judged fake; `frames_sampled` is how many
    frames the sampling asked for and `frames_declared` how many the header promised (a file that ends
    early gives fewer frames than sampled)."""

    frames: list[FrameSummary] = field(default_factory=list)
    is_fake: bool = False
    fake_fraction: float = 0.0
    frames_sampled: int = 0
    frames_declared: int = 0

    def warnings(self) -> list[str]:
        """What an analyst should know about how the video was read (empty when it was read whole)."""
        if len(self.frames) < self.frames_sampled:
            return [ends_early(self.frames_declared, len(self.frames), self.frames_sampled)]
        return []


def ends_early(declared: int, analysed: int, sampled: int) -> str:
    """The note on a video that holds fewer frames than its header declares."""
    return (
        f"the video ends before the {declared} frames its header declares (truncated or damaged?): "
        f"{analysed} of the {sampled} frames sampled were there to analyse"
    )


def summarize(
    predictions: Iterable[FramePrediction],
    min_fake_fraction: float = 0.5,
    on_frame: Callable[[FramePrediction], None] | None = None,
) -> VideoPrediction:
    """Keep the light part of each frame prediction and apply the video rule."""
    frames = []
    for prediction in predictions:
        if on_frame is not None:
            on_frame(prediction)
        frames.append(
            FrameSummary(
                prediction.index,
                prediction.time,
                prediction.box,
                prediction.face_found,
                prediction.score,
                prediction.is_fake,
                prediction.regions,
                prediction.faces,
                prediction.landmarks,
            )
        )
    flags = [f.is_fake for f in frames]
    fraction = sum(flags) / len(flags) if flags else 0.0
    return VideoPrediction(frames, video_is_fake(flags, min_fake_fraction), fraction)
