"""The preprocessing record: validated, round-tripped through json, carried by bundles (older bundles
get the legacy values and one warning), and the one predict path that applies it."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from localize.common.errors import BundleError, ConfigError
from localize.inference.bundle import load_bundle, save_bundle
from localize.inference.preprocess import LEGACY, Preprocessing, read_dataset_json, write_dataset_json
from localize.models import build_model


def test_round_trip_and_validation():
    record = Preprocessing(margin=1.6, input_size=(64, 96), mean=(0.5, 0.5, 0.5), std=(0.2, 0.2, 0.2))
    assert Preprocessing.from_dict(json.loads(json.dumps(record.to_dict()))) == record
    for bad, field in (
        ({"margin": 0.5}, "margin"),
        ({"input_size": (12000, 12000)}, "input_size"),
        ({"input_size": ("a", 3)}, "input_size"),
        ({"std": (0.0, 1.0, 1.0)}, "std"),
        ({"crop": "body"}, "crop"),
        ({"interpolation": "magic"}, "interpolation"),
    ):
        with pytest.raises(ConfigError, match=field):
            Preprocessing(**bad)
    with pytest.raises(ConfigError, match="unknown fields: colour"):
        Preprocessing.from_dict({"colour": 1})


def test_normalize_and_resize_follow_the_record():
    record = Preprocessing(input_size=(8, 12), mean=(0.5, 0.5, 0.5), std=(0.5, 0.25, 0.5))
    image = np.full((16, 24, 3), 255, np.uint8)
    resized = record.resize(image)
    assert resized.shape == (8, 12, 3)
    x = record.normalize(resized[None])
    assert x.shape == (1, 3, 8, 12) and x.dtype == np.float32
    assert x[0, 0, 0, 0] == pytest.approx(1.0) and x[0, 1, 0, 0] == pytest.approx(2.0)


def test_dataset_json_round_trip_and_legacy(tmp_path, caplog):
    record = Preprocessing(margin=1.6, input_size=(64, 64))
    write_dataset_json(tmp_path, record, face_detector={"detector": "yunet"})
    assert read_dataset_json(tmp_path) == record
    with caplog.at_level(logging.WARNING):
        assert read_dataset_json(tmp_path / "older") == LEGACY
    assert "dataset.json" in caplog.text


def test_bundle_carries_the_record_and_older_bundles_get_legacy_values(tmp_path, caplog):
    model = build_model("unet", base_features=4, depth=2).eval()
    record = Preprocessing(margin=1.6, input_size=(32, 32), detector="yunet")
    path = save_bundle(
        tmp_path / "new", model, "unet", {"base_features": 4, "depth": 2}, preprocessing=record
    )
    assert load_bundle(path).preprocessing == record
    meta = json.loads(path.read_text())
    assert meta["input_size"] == [32, 32]  # the older keys agree with the record
    del meta["preprocessing"]
    path.write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING):
        old = load_bundle(path).preprocessing
    assert (old.margin, old.detector, old.input_size) == (1.3, "lbp", (32, 32))
    assert "records no preprocessing" in caplog.text
    meta["preprocessing"] = {"margin": "wide"}
    path.write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="margin"):
        load_bundle(path)


def test_predict_resizes_normalises_and_returns_maps_at_each_crop_size(bundle_path):
    bundle = load_bundle(bundle_path)
    crops = [np.zeros((64, 64, 3), np.uint8), np.full((100, 80, 3), 128, np.uint8)]
    maps = bundle.predict(crops, batch_size=1)
    assert [m.shape for m in maps] == [(64, 64), (100, 80)]
    # the same crop, alone or in a batch, resized by the record: the same map
    again = bundle.predict([crops[1]])[0]
    np.testing.assert_allclose(maps[1], again, atol=1e-5)
    stacked = bundle.predict(np.stack([crops[0], crops[0]]))
    assert isinstance(stacked, np.ndarray) and stacked.shape == (2, 64, 64)


def test_a_flip_averaging_bundle_averages_each_map_with_its_mirror_images(bundle_path, tmp_path):
    plain = load_bundle(bundle_path)
    rng = np.random.default_rng(0)
    crops = [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), rng.integers(0, 256, (90, 70, 3), np.uint8)]
    maps = plain.predict(crops)
    mirrored = [m[:, ::-1] for m in plain.predict([np.ascontiguousarray(c[:, ::-1]) for c in crops])]
    assert not np.allclose(maps[0], mirrored[0], atol=1e-3)  # the model is not symmetric itself
    meta = json.loads(bundle_path.read_text())
    meta["test_time"] = {"hflip": True}
    flipping = tmp_path / "flip.json"
    flipping.write_text(json.dumps(meta))
    (tmp_path / "flip.safetensors").write_bytes(bundle_path.with_suffix(".safetensors").read_bytes())
    bundle = load_bundle(flipping)
    assert bundle.flip_average and not plain.flip_average
    for got, one, other in zip(bundle.predict(crops, batch_size=2), maps, mirrored, strict=True):
        np.testing.assert_allclose(got, (one + other) / 2, atol=1e-5)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"thresholds": {"confidence": "0.5"}}, "thresholds.threshold"),
        ({"thresholds": {"threshold": [0.5]}}, "thresholds.threshold"),
        ({"thresholds": [0.5]}, "thresholds"),
        ({"thresholds": {"min_fake_fraction": 7}}, "thresholds.min_fake_fraction"),
        ({"thresholds": {"mask_threshold": 1.5}}, "thresholds.mask_threshold"),
        ({"input_size": [12000, 12000]}, "input_size"),
        ({"input_size": [-1, 0]}, "input_size"),
        ({"input_size": "big"}, "input_size"),
        ({"weights": "w.safetensors"}, "weights"),
        ({"model": None}, "model"),
        ({"normalization": None}, "normalization"),
        ({"arguments": {"depth": "deep"}}, "cannot build"),
        ({"onnx": {"sha": 1}}, "onnx"),
        ({"test_time": {"hflip": "yes"}}, "test_time"),
        ({"test_time": ["hflip"]}, "test_time"),
        ({"limits": "misses FaceSwap"}, "limits"),
        ({"limits": ["", "x"]}, "limits"),
        ({"limits": ["x" * 401]}, "limits"),
        ({"limits": ["x"] * 13}, "limits"),
        ({"limits": [3]}, "limits"),
    ],
)
def test_malformed_bundle_json_is_one_line_naming_the_field(tmp_path, change, field):
    model = build_model("unet", base_features=4, depth=2).eval()
    path = save_bundle(tmp_path / "b", model, "unet", {"base_features": 4, "depth": 2})
    meta = json.loads(path.read_text())
    meta.pop("preprocessing")  # the older layout: input_size and normalization are read from the json
    meta.update(change)
    path.write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=field.replace(".", r"\.")):
        load_bundle(path)


def test_a_garbage_onnx_file_with_a_matching_checksum_is_refused(tmp_path):
    import hashlib

    from localize.inference.onnx_runtime import attach_onnx, use_onnx

    model = build_model("unet", base_features=4, depth=2).eval()
    path = save_bundle(tmp_path / "b", model, "unet", {"base_features": 4, "depth": 2})
    payload = b"not an onnx model"
    attach_onnx(path, payload)
    assert json.loads(path.read_text())["onnx"]["sha256"] == hashlib.sha256(payload).hexdigest()
    with pytest.raises(BundleError, match="not a loadable ONNX model"):
        use_onnx(load_bundle(path))
