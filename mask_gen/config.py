"""MaskGenConfig: how mask-gen samples, crops and masks a dataset (the settings every stage reads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from localize.common.errors import ConfigError
from localize.inference.preprocess import Preprocessing
from mask_gen.core import MaskConfig


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
    masks: Literal["diff", "dataset"] = "diff"
    compare_masks: bool = False  # with masks="dataset": also make the difference masks and score them
    split_by: Literal["dataset", "hash"] = "dataset"
    max_faces: int = 1  # people per frame cropped (DFDC clips may show two); the largest first
    detector: str = "yunet"  # face detector (boxes in YuNet's convention whichever runs)
    # YuNet's file; None: $FORGELOC_FACE_MODEL, the installed package's, the cache
    face_model: str | None = None

    def __post_init__(self) -> None:
        if self.crop not in ("face", "none"):
            raise ConfigError(f"crop must be 'face' or 'none', got {self.crop!r}")
        if not 1.0 <= self.margin <= 4.0:
            raise ConfigError(f"margin must be in [1, 4], got {self.margin}")
        if self.size < 16:
            raise ConfigError(f"size must be >= 16, got {self.size}")
        if self.masks not in ("diff", "dataset"):
            raise ConfigError(f"masks must be 'diff' or 'dataset', got {self.masks!r}")
        if self.compare_masks and self.masks != "dataset":
            raise ConfigError("compare_masks compares against the dataset's masks: it needs masks='dataset'")
        if self.split_by not in ("dataset", "hash"):
            raise ConfigError(f"split_by must be 'dataset' or 'hash', got {self.split_by!r}")
        if self.max_faces < 1:
            raise ConfigError(f"max_faces must be >= 1, got {self.max_faces}")
        if self.frames < 0 or self.every < 0:
            raise ConfigError(f"frames and every must be >= 0, got {self.frames}, {self.every}")

    def preprocessing(self) -> Preprocessing:
        """The record written to OUT/dataset.json: how these crops were made (normalisation is the
        trained model's, added by the DataModule)."""
        return Preprocessing(
            crop=self.crop, margin=self.margin, detector="yunet", input_size=(self.size, self.size)
        )
