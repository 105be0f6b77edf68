"""TrackConfig: how a face, once found, is followed from frame to frame (read by the tracker and by
each detector's search near a known face)."""

from __future__ import annotations

from dataclasses import dataclass

from localize.common.errors import ConfigError


@dataclass(frozen=True)
class TrackConfig:
    """How faces are followed through a video once found: searched only near their last box.

    `window` is the search window side in face sides, `face_px` the size the face is shrunk to there,
    and the face may change size between min_size_ratio and max_size_ratio from one frame to the next.
    After a full scan finds no face, the next `rescan_every - 1` frames are taken as faceless too:
    footage without a face would otherwise cost a full scan per frame. Between detector searches, which
    run every `refine_every` frames, a face is followed by normalised cross-correlation of its last
    detected patch (a fraction of a millisecond instead of several); a correlation below `min_match`
    calls the detector at once. Up to `max_faces` faces are tracked; while fewer are, a full scan looks
    for more every `new_face_every` frames.
    """

    window: float = 2.0
    face_px: int = 64
    min_size_ratio: float = 0.7
    max_size_ratio: float = 1.4
    scale_factor: float = 1.1
    rescan_every: int = 4
    refine_every: int = 4
    min_match: float = 0.7
    max_faces: int = 1
    new_face_every: int = 16

    def __post_init__(self) -> None:
        if min(self.rescan_every, self.refine_every, self.max_faces, self.new_face_every) < 1:
            raise ConfigError(
                "rescan_every, refine_every, max_faces and new_face_every must be >= 1, got "
                f"{self.rescan_every}, {self.refine_every}, {self.max_faces}, {self.new_face_every}"
            )
        if not -1 <= self.min_match <= 1:
            raise ConfigError(f"min_match is a correlation in [-1, 1], got {self.min_match}")
        if self.window < 1.0 or self.face_px < 24:
            raise ConfigError(f"window must be >= 1 and face_px >= 24, got {self.window}, {self.face_px}")
        if not 0 < self.min_size_ratio <= 1 <= self.max_size_ratio:
            raise ConfigError("track size ratios must satisfy 0 < min_size_ratio <= 1 <= max_size_ratio")
