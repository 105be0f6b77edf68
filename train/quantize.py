"""Static int8 quantization of a bundle's ONNX model, calibrated on crops of a training set.

ONNX Runtime runs the int8 model (QDQ format: weights int8 per output channel, activations uint8 with
ranges from the min/max seen on the calibration crops) about twice as fast as float32 on a CPU. What it
costs in accuracy is measured in docs/guide/training.md; `forgeloc eval --runtime onnx` measures it on
any dataset.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from localize.common.errors import ConfigError, DatasetError
from localize.inference.bundle import load_bundle
from localize.inference.onnx_runtime import attach_onnx, onnx_model
from localize.media.images import read_image
from mask_gen.manifest import read_manifest


@dataclass(frozen=True)
class CalibrationConfig:
    """Which crops calibrate the activation ranges: `crops` drawn from a split with a fixed seed."""

    crops: int = 128
    split: str = "train"
    seed: int = 0
    batch: int = 8

    def __post_init__(self) -> None:
        if self.crops < 1 or self.batch < 1:
            raise ConfigError(f"calibration crops and batch must be >= 1, got {self.crops}, {self.batch}")


def calibration_crops(data_dir: str | Path, size: tuple[int, int], config: CalibrationConfig) -> np.ndarray:
    """uint8 RGB crops (N, H, W, 3) of the dataset's split, resized to the model input `size` (H, W)."""
    rows = [row for row in read_manifest(data_dir) if row.split == config.split]
    if not rows:
        raise DatasetError(f"no {config.split} crops to calibrate on", Path(data_dir) / "manifest.csv")
    rng = np.random.default_rng(config.seed)
    chosen = rng.choice(len(rows), min(config.crops, len(rows)), replace=False)
    height, width = size
    return np.stack(
        [
            cv2.resize(
                read_image(Path(data_dir) / rows[i].image), (width, height), interpolation=cv2.INTER_AREA
            )
            for i in sorted(chosen)
        ]
    )


def add_int8_onnx(path: str | Path, crops: np.ndarray, batch: int = 8, source: str = "") -> Path:
    """Write the bundle's NAME.onnx as an int8 model calibrated on `crops` (uint8 RGB at the model's input
    size) and record the quantization in the json."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    bundle = load_bundle(path)
    record = bundle.preprocessing
    inputs = [
        record.normalize(np.stack([record.resize(c) for c in crops[start : start + batch]]))
        for start in range(0, len(crops), batch)
    ]

    class Crops(CalibrationDataReader):
        def __init__(self) -> None:
            self.pending = iter(inputs)

        def get_next(self) -> dict | None:
            batch_input = next(self.pending, None)
            return None if batch_input is None else {"image": batch_input}

    with tempfile.TemporaryDirectory() as folder:
        plain, prepared, quantized = (Path(folder) / name for name in ("f32.onnx", "pre.onnx", "int8.onnx"))
        plain.write_bytes(onnx_model(bundle))
        quant_pre_process(str(plain), str(prepared))  # shape inference and graph clean-up first
        quantize_static(
            str(prepared),
            str(quantized),
            Crops(),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            calibrate_method=CalibrationMethod.MinMax,
        )
        payload = quantized.read_bytes()
    details = {
        "calibration": source,
        "crops": len(crops),
        "weights": "int8 per channel",
        "activations": "uint8",
    }
    return attach_onnx(path, payload, int8=details)
