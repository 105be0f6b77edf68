"""How a crop is made and fed to a model: one typed record that travels from data to verdict.

After timm's `PretrainedCfg` / `resolve_data_config`: the dataset writer records it (`OUT/dataset.json`),
the DataModule carries it into every checkpoint, `forgeloc export` copies it into the bundle json, and
inspection, evaluation, threshold search, quantization and attacks read it from there instead of
assuming constants. A bundle or dataset written before the record existed gets `LEGACY` (the values the
toolkit used then) and one warning line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from localize.common.errors import ConfigError, DatasetError

log = logging.getLogger(__name__)

DATASET_JSON = "dataset.json"
INTERPOLATIONS = {"area": cv2.INTER_AREA, "linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}


@dataclass(frozen=True)
class Preprocessing:
    """The crop rule and the model's input transform.

    Args:
        crop: "face" (a square around each face box) or "none" (the whole frame).
        margin: crop side as a multiple of the face box's larger side.
        detector: whose box convention the margin is measured against ("yunet", "lbp").
        input_size: (height, width) the crop is resized to.
        interpolation: resize filter, one of INTERPOLATIONS.
        scale: multiplier from uint8 to the model's range (1/255: [0, 1]).
        mean: per-channel mean subtracted after scaling (RGB).
        std: per-channel standard deviation divided by after that.
        landmarks: True when the crop rule used the detector's landmarks (it does not yet).

    Examples:
        >>> Preprocessing(margin=1.6).margin
        1.6
        >>> Preprocessing.from_dict(Preprocessing(input_size=(64, 64)).to_dict()).input_size
        (64, 64)
    """

    crop: Literal["face", "none"] = "face"
    margin: float = 1.3
    detector: str = "yunet"
    input_size: tuple[int, int] = (256, 256)
    interpolation: str = "area"
    scale: float = 1 / 255
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    landmarks: bool = False

    def __post_init__(self) -> None:
        if self.crop not in ("face", "none"):
            raise ConfigError(f"crop must be 'face' or 'none', got {self.crop!r}")
        if not isinstance(self.margin, (int, float)) or not 1.0 <= self.margin <= 4.0:
            raise ConfigError(f"margin must be a number in [1, 4], got {self.margin!r}")
        size = self.input_size
        if (
            not isinstance(size, (tuple, list))
            or len(size) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and 8 <= v <= 2048 for v in size)
        ):
            raise ConfigError(f"input_size must be two whole numbers in 8..2048, got {size!r}")
        if self.interpolation not in INTERPOLATIONS:
            raise ConfigError(
                f"interpolation must be one of {', '.join(INTERPOLATIONS)}, got {self.interpolation!r}"
            )
        for name in ("mean", "std"):
            values = getattr(self, name)
            if not isinstance(values, (tuple, list)) or len(values) != 3:
                raise ConfigError(f"{name} must be three numbers, got {values!r}")
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                raise ConfigError(f"{name} must be three numbers, got {values!r}")
        if min(self.std) <= 0 or not isinstance(self.scale, (int, float)) or self.scale <= 0:
            raise ConfigError(f"std and scale must be positive, got {self.std!r}, {self.scale!r}")
        object.__setattr__(self, "input_size", tuple(size))
        object.__setattr__(self, "mean", tuple(float(v) for v in self.mean))
        object.__setattr__(self, "std", tuple(float(v) for v in self.std))

    def to_dict(self) -> dict[str, Any]:
        """Plain json values (lists for tuples)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Any, source: str | Path | None = None) -> Preprocessing:
        """The record a json dict describes; ConfigError names the bad field (and the file)."""
        if not isinstance(data, dict):
            raise ConfigError(f"preprocessing must be a json object, got {type(data).__name__}", source)
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ConfigError(f"preprocessing has unknown fields: {', '.join(unknown)}", source)
        values = dict(data)
        if isinstance(values.get("input_size"), list):
            values["input_size"] = tuple(values["input_size"])
        try:
            return cls(**values)
        except ConfigError as error:
            raise ConfigError(error.reason, source) from None

    def with_updates(self, **changes: Any) -> Preprocessing:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def resize(self, rgb: np.ndarray) -> np.ndarray:
        """An RGB uint8 crop resized to the model's input size."""
        height, width = self.input_size
        if rgb.shape[:2] == (height, width):
            return rgb
        return cv2.resize(rgb, (width, height), interpolation=INTERPOLATIONS[self.interpolation])

    def normalize(self, batch: np.ndarray) -> np.ndarray:
        """uint8 RGB (N, H, W, 3) -> float32 (N, 3, H, W) model input: x * scale, minus mean, over std."""
        mean = np.asarray(self.mean, np.float32).reshape(1, 3, 1, 1)
        std = np.asarray(self.std, np.float32).reshape(1, 3, 1, 1)
        x = batch.transpose(0, 3, 1, 2).astype(np.float32) * np.float32(self.scale)
        return np.ascontiguousarray((x - mean) / std)


# what the toolkit assumed before the record existed: LBP boxes, margin 1.3, the bundle's normalisation
LEGACY = Preprocessing(detector="lbp")


def legacy(meta: dict, source: str | Path | None = None) -> Preprocessing:
    """The record for an older bundle json (no "preprocessing"): today's values then, said once."""
    norm = meta.get("normalization") if isinstance(meta.get("normalization"), dict) else {}
    log.warning(
        "%s records no preprocessing (written by an older forgeloc): assuming face crops, margin 1.3, LBP boxes",
        source or "bundle",
    )
    return LEGACY.with_updates(
        input_size=tuple(meta.get("input_size", LEGACY.input_size)),
        scale=norm.get("scale", LEGACY.scale),
        mean=tuple(norm.get("mean", LEGACY.mean)),
        std=tuple(norm.get("std", LEGACY.std)),
    )


def of_bundle_meta(meta: dict, source: str | Path | None = None) -> Preprocessing:
    """The bundle json's record, or the legacy one for a json that has none."""
    if "preprocessing" in meta:
        return Preprocessing.from_dict(meta["preprocessing"], source)
    return legacy(meta, source)


def write_dataset_json(out: str | Path, record: Preprocessing, **details: Any) -> Path:
    """OUT/dataset.json: the record a training set was made with (plus `details`), atomically."""
    from localize.common.atomic import write_text_atomic

    path = Path(out) / DATASET_JSON
    write_text_atomic(path, json.dumps({"preprocessing": record.to_dict(), **details}, indent=2) + "\n")
    return path


def read_dataset_json(root: str | Path) -> Preprocessing:
    """The record of a dataset folder; LEGACY (with a warning) for a folder made before it existed."""
    path = Path(root) / DATASET_JSON
    if not path.is_file():
        log.warning(
            "%s has no %s (made by an older forgeloc): assuming face crops, margin 1.3", root, DATASET_JSON
        )
        return LEGACY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatasetError(f"not a dataset json ({error})", path) from None
    if not isinstance(data, dict) or "preprocessing" not in data:
        raise DatasetError("no preprocessing record in it", path)
    return Preprocessing.from_dict(data["preprocessing"], path)
