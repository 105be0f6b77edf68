"""Model bundles: NAME.safetensors (weights) + NAME.json (architecture, arguments, input size,
normalisation, decision thresholds, data summary, metrics, toolkit version, weights checksum).

Loading never unpickles: weights are safetensors, the rest is json. The weights are the json's same-stem
sibling, so a bundle can be renamed or copied as a pair.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from torch import nn

from localize import __version__
from localize.common.atomic import write_bytes_atomic, write_text_atomic
from localize.common.errors import BundleError, ForgelocError
from localize.inference.preprocess import Preprocessing, of_bundle_meta
from localize.models import build_model, model_spec
from localize.models.registry import ModelSpec

FORMAT = "forgeloc-bundle/1"
DEFAULT_THRESHOLDS = {"threshold": 0.5, "min_region_px": 100, "min_fake_fraction": 0.5}
MAX_LIMITS, MAX_LIMIT_CHARS = 12, 400  # the json's "limits": a few sentences a report can carry


def canonical_thresholds(values: dict) -> dict:
    """Thresholds under their one name: "threshold" (bundles before it wrote "confidence")."""
    values = dict(values)
    if "confidence" in values:
        values.setdefault("threshold", values["confidence"])
        del values["confidence"]
    return values


@dataclass
class Bundle:
    """A loaded model with its spec and the json that described it."""

    model: nn.Module
    spec: ModelSpec
    meta: dict = field(default_factory=dict)
    path: Path | None = None
    session: Any = None  # an onnxruntime session (see use_onnx): it then runs instead of PyTorch
    preprocessing: Preprocessing | None = None  # None: read from meta (legacy values for older jsons)

    def __post_init__(self) -> None:
        if self.preprocessing is None:
            self.preprocessing = of_bundle_meta(self.meta, self.path)

    @property
    def flip_average(self) -> bool:
        """Whether every crop is also run mirrored left-right and the two maps averaged (the json's
        "test_time": {"hflip": true}; `forgeloc export --flip-average`)."""
        return bool(self.meta.get("test_time", {}).get("hflip", False))

    @property
    def limits(self) -> tuple[str, ...]:
        """What the model's makers say it cannot do or tell (the json's "limits": a few plain sentences,
        shown in every inspection report beside its verdicts); empty when the json says nothing."""
        return tuple(self.meta.get("limits", ()))

    @property
    def thresholds(self) -> dict:
        """The frame and video rules' settings: threshold, min_region_px, min_fake_fraction, and
        mask_threshold (how far a flagged frame's mask grows; the frame threshold when the json has none)."""
        merged = {**DEFAULT_THRESHOLDS, **canonical_thresholds(self.meta.get("thresholds", {}))}
        merged.setdefault("mask_threshold", merged["threshold"])
        return merged

    def predict(
        self, crops: list[np.ndarray] | np.ndarray, batch_size: int = 16
    ) -> list[np.ndarray] | np.ndarray:
        """P(fake) of RGB uint8 crops of any sizes, after smp's `SegmentationModel.predict`.

        Each crop is resized and normalised as the bundle's preprocessing record says, run in batches
        by whatever runtime the bundle holds (PyTorch, or onnxruntime float32/int8).

        Returns:
            segmentation models: one float32 map per crop, at that crop's size (a list, or an array
            (N, H, W) when `crops` is an array); classifiers: an array (N,) of scores.
        """
        record = self.preprocessing
        outputs = []
        for start in range(0, len(crops), batch_size):
            chunk = crops[start : start + batch_size]
            x = torch.from_numpy(record.normalize(np.stack([record.resize(c) for c in chunk])))
            outputs.append(probabilities(self, x))
        out = np.concatenate(outputs) if outputs else np.zeros((0, 1, 1, 1), np.float32)
        if self.spec.task != "segmentation":
            return out.reshape(len(crops))
        maps = [
            m
            if m.shape == c.shape[:2]
            else cv2.resize(m, (c.shape[1], c.shape[0]), interpolation=cv2.INTER_LINEAR)
            for m, c in zip(out[:, 0], crops, strict=True)
        ]
        return np.stack(maps) if isinstance(crops, np.ndarray) and maps else maps


def probabilities(bundle: Bundle, batch: torch.Tensor) -> np.ndarray:
    """sigmoid of the model's output for a normalised batch (N, 3, H, W), float32: by onnxruntime when
    the bundle has a session, else by PyTorch. A bundle that averages over a left-right flip runs the
    batch and its mirror image together and mirrors the second half's maps back before the mean."""
    if bundle.flip_average:
        return average_with_mirror(lambda both: _probabilities(bundle, both), batch)
    return _probabilities(bundle, batch)


def average_with_mirror(run: Callable, batch: torch.Tensor):
    """`run` (a batch (N, 3, H, W) -> probabilities, numpy or torch) on the batch and its left-right mirror
    image in one call, the mirror's maps flipped back (scores as they are), the two averaged: what a
    flip-averaging bundle computes (Bundle.flip_average), for its predict path and for the attacks alike.
    A `run` returning a tuple (maps and scores of a model with two outputs) has each averaged alike."""
    count = len(batch)
    both = run(torch.cat([batch, batch.flip(-1)]))
    if isinstance(both, tuple):
        return tuple(_mean_with_mirror(part, count) for part in both)
    return _mean_with_mirror(both, count)


def _mean_with_mirror(both, count: int):
    """The mean of the first `count` outputs and the rest, the rest's maps (4-D) flipped back first."""
    mirrored = both[count:]
    if mirrored.ndim == 4:
        mirrored = mirrored.flip(-1) if isinstance(mirrored, torch.Tensor) else mirrored[..., ::-1]
    return (both[:count] + mirrored) / 2


def _probabilities(bundle: Bundle, batch: torch.Tensor) -> np.ndarray:
    if bundle.session is not None:
        logits = bundle.session.run(None, {"image": batch.numpy()})[0].astype(np.float32)
        return 1.0 / (1.0 + np.exp(-logits))
    with torch.inference_mode():
        # channels-last runs these convolutions faster on a CPU (benchmarks/inspect_throughput.py, model
        # alone per 128 px crop: 7.0 against 8.6 ms for the default model)
        return (
            torch.sigmoid(bundle.model(batch.contiguous(memory_format=torch.channels_last))).float().numpy()
        )


def update_meta(path: str | Path, change: Callable[[dict], None]) -> Path:
    """Apply `change` to the bundle's json fields and write them back atomically (the weights, and so
    their checksum, are untouched); the json's path."""
    json_path, _ = bundle_paths(path)
    meta = json.loads(json_path.read_text())
    change(meta)
    write_text_atomic(json_path, json.dumps(meta, indent=2) + "\n")
    return json_path


def bundle_paths(path: str | Path) -> tuple[Path, Path]:
    """(json, safetensors) of a bundle named by either file or by its stem."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".json", ".safetensors") else path
    return stem.with_name(stem.name + ".json"), stem.with_name(stem.name + ".safetensors")


def save_bundle(
    path: str | Path,
    model: nn.Module,
    name: str,
    arguments: dict | None = None,
    *,
    input_size: tuple[int, int] = (256, 256),
    thresholds: dict | None = None,
    data: dict | None = None,
    metrics: dict | None = None,
    half: bool = False,
    preprocessing: Preprocessing | None = None,
) -> Path:
    """Write the bundle atomically (weights first, so a json always has its weights); return the json path.

    `preprocessing` is the record the model was trained with; without one, face crops at margin 1.3
    around YuNet boxes, resized to `input_size` and normalised as the model's registry entry says.
    """
    from safetensors.torch import save

    spec = model_spec(name)
    record = preprocessing or Preprocessing(input_size=tuple(input_size), mean=spec.mean, std=spec.std)
    json_path, weights_path = bundle_paths(path)
    state = {
        key: (value.half() if half and value.is_floating_point() else value).detach().cpu().contiguous()
        for key, value in model.state_dict().items()
    }
    payload = save(state)
    write_bytes_atomic(weights_path, payload)
    meta = {
        "format": FORMAT,
        "model": name,
        "task": spec.task,
        "arguments": arguments or {},
        "preprocessing": record.to_dict(),
        # the two older keys, kept equal to the record for readers of forgeloc-bundle/1 before it
        "input_size": list(record.input_size),
        "normalization": {"scale": record.scale, "mean": list(record.mean), "std": list(record.std)},
        "thresholds": {**DEFAULT_THRESHOLDS, **canonical_thresholds(thresholds or {})},
        "data": data or {},
        "metrics": metrics or {},
        "weights": {
            "file": weights_path.name,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "dtype": "float16" if half else "float32",
        },
        "toolkit_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    write_text_atomic(json_path, json.dumps(meta, indent=2) + "\n")
    return json_path


def _check_meta(meta: dict, json_path: Path) -> None:
    """Refuse, in one line naming the field, a json whose fields have the wrong types or ranges."""

    def bad(field: str, why: str) -> BundleError:
        return BundleError(f"{field} {why}", json_path)

    if not isinstance(meta.get("model"), str):
        raise bad("model", "must name a registered model")
    if not isinstance(meta.get("arguments", {}), dict):
        raise bad("arguments", "must be a json object")
    if not isinstance(meta.get("weights", {}), dict):
        raise bad("weights", "must be a json object")
    thresholds = meta.get("thresholds", {})
    if not isinstance(thresholds, dict):
        raise bad("thresholds", "must be a json object")
    thresholds = canonical_thresholds(thresholds)
    ranges = (
        ("threshold", 0, 1),
        ("min_region_px", 0, 1e9),
        ("min_fake_fraction", 0, 1),
        ("mask_threshold", 0, 1),
    )
    for name, low, high in ranges:
        if name not in thresholds and name not in DEFAULT_THRESHOLDS:
            continue  # mask_threshold: the frame threshold when absent
        value = thresholds.get(name, DEFAULT_THRESHOLDS.get(name))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise bad(f"thresholds.{name}", f"must be a number in [{low}, {high:g}], got {value!r}")
    norm = meta.get("normalization", {"scale": 1, "mean": [0, 0, 0], "std": [1, 1, 1]})
    if not isinstance(norm, dict) or not all(k in norm for k in ("scale", "mean", "std")):
        raise bad("normalization", "must hold scale, mean and std")
    test_time = meta.get("test_time", {})
    if not isinstance(test_time, dict) or not isinstance(test_time.get("hflip", False), bool):
        raise bad("test_time", 'must be a json object such as {"hflip": true}')
    if "onnx" in meta and not (
        isinstance(meta["onnx"], dict) and isinstance(meta["onnx"].get("sha256"), str)
    ):
        raise bad("onnx", "must record the ONNX model's sha256")
    limits = meta.get("limits", [])
    if (
        not isinstance(limits, list)
        or len(limits) > MAX_LIMITS
        or not all(isinstance(line, str) and 0 < len(line.strip()) <= MAX_LIMIT_CHARS for line in limits)
    ):
        raise bad(
            "limits", f"must be a list of at most {MAX_LIMITS} sentences of 1-{MAX_LIMIT_CHARS} characters"
        )


def load_bundle(path: str | Path) -> Bundle:
    """Build the bundle's model and load its weights (float32, eval mode); BundleError names what is wrong."""
    from safetensors.torch import load

    json_path, weights_path = bundle_paths(path)
    if not json_path.is_file():
        raise BundleError("bundle json not found", json_path)
    try:
        meta = json.loads(json_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"not a bundle json ({error})", json_path) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BundleError(f"not a {FORMAT} json", json_path)
    _check_meta(meta, json_path)
    if not weights_path.is_file():
        raise BundleError("bundle weights not found", weights_path)
    payload = weights_path.read_bytes()
    expected = meta.get("weights", {}).get("sha256")
    if expected and hashlib.sha256(payload).hexdigest() != expected:
        raise BundleError(f"weights do not match the checksum in {json_path.name}", weights_path)
    try:
        record = of_bundle_meta(meta, json_path)
    except ForgelocError as error:
        raise BundleError(f"bad preprocessing record: {error.reason}", json_path) from None
    try:
        spec = model_spec(meta["model"])
        model = build_model(meta["model"], **meta.get("arguments", {}))
    except ForgelocError as error:
        raise BundleError(f"cannot build the model it describes: {error.reason}", json_path) from None
    except (TypeError, ValueError, KeyError, RuntimeError) as error:
        raise BundleError(f"cannot build the model it describes: {error}", json_path) from None
    try:
        state = {
            key: value.float() if value.is_floating_point() else value for key, value in load(payload).items()
        }
    except Exception as error:
        raise BundleError(f"not a safetensors file ({error})", weights_path) from None
    own = model.state_dict()
    missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    shapes = [k for k in set(own) & set(state) if own[k].shape != state[k].shape]
    if missing or unexpected or shapes:
        details = "; ".join(
            f"{what}: {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}"
            for what, keys in (
                ("missing", missing),
                ("unexpected", unexpected),
                ("shape differs", sorted(shapes)),
            )
            if keys
        )
        raise BundleError(f"json ({meta['model']}) and weights disagree: {details}", weights_path)
    model.load_state_dict(state)
    return Bundle(model.eval(), spec, meta, json_path, preprocessing=record)
