"""The shipped default runs in onnxruntime from an export cached once; a bad cache never changes results."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest

from localize import Localizer
from localize.inference.bundle import load_bundle
from localize.inference.localizer import InferenceConfig, default_bundle_path, is_default
from localize.inference.onnx_cache import PROBE_TOLERANCE, agrees, cache_file, with_cached_onnx
from localize.inference.onnx_runtime import onnx_model


@pytest.fixture
def tiny(bundle_path, tmp_path):
    """A copy of the tiny test U-Net's bundle (no NAME.onnx)."""
    copy = tmp_path / "tiny"
    for suffix in (".json", ".safetensors"):
        shutil.copy(bundle_path.with_suffix(suffix), copy.with_suffix(suffix))
    return load_bundle(copy)


def test_the_default_runs_in_onnxruntime_from_one_cached_export_with_the_same_maps(
    tmp_path, monkeypatch, pairs
):
    monkeypatch.setenv("FORGELOC_HOME", str(tmp_path / "home"))
    config = InferenceConfig(crop="none")
    onnx = Localizer.load(None, config)
    cached = tmp_path / "home" / "onnx"
    files = list(cached.iterdir())
    assert onnx.bundle.session is not None and len(files) == 1
    assert onnx.bundle.meta["onnx"]["cached"] == str(files[0])
    assert "onnx" not in load_bundle(default_bundle_path()).meta  # the package's json is untouched
    stamp = files[0].stat().st_mtime_ns
    again = Localizer.load(None, config)
    assert (
        again.bundle.session is not None and files[0].stat().st_mtime_ns == stamp
    )  # reused, not re-exported
    assert Localizer.load(None, InferenceConfig(crop="none", runtime="onnx")).bundle.session is not None
    eager = Localizer.load(None, InferenceConfig(crop="none", runtime="torch"))
    assert eager.bundle.session is None and is_default(eager.bundle)
    a, b = eager.predict_image(pairs[1].fake), onnx.predict_image(pairs[1].fake)
    np.testing.assert_allclose(a.prob, b.prob, atol=1e-4)
    assert a.is_fake == b.is_fake


def test_a_corrupt_or_foreign_cache_file_is_replaced_by_a_checked_export(tiny, bundle_path, tmp_path):
    target = cache_file(tiny, tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not an onnx model")
    first = with_cached_onnx(tiny, tmp_path)
    assert first.session is not None and target.read_bytes() == onnx_model(tiny)
    assert tiny.session is None and "onnx" not in tiny.meta  # the caller's bundle is left as it was
    # a loadable model of other weights under the same name is caught by the probe
    other = load_bundle(bundle_path)
    for parameter in other.model.parameters():
        parameter.data.mul_(0.5)
    target.write_bytes(onnx_model(other))
    second = with_cached_onnx(tiny, tmp_path)
    assert agrees(tiny, second.session) <= PROBE_TOLERANCE
    assert target.read_bytes() == onnx_model(tiny)


def test_an_unwritable_cache_uses_the_export_from_memory(tiny, tmp_path):
    assert not is_default(tiny)  # only the package's default is exported implicitly
    (tmp_path / "onnx").write_text("a file where the cache folder should be")
    bundle = with_cached_onnx(tiny, tmp_path)
    assert bundle.session is not None and agrees(tiny, bundle.session) <= PROBE_TOLERANCE
    assert "cached" not in bundle.meta["onnx"]  # provenance names no file that holds nothing


def test_a_failed_export_falls_back_to_pytorch_with_a_warning(tiny, tmp_path, monkeypatch, caplog):
    def broken(bundle):
        raise RuntimeError("exporter lacks an operator")

    monkeypatch.setattr("localize.inference.onnx_cache.onnx_model", broken)
    with caplog.at_level(logging.WARNING):
        bundle = with_cached_onnx(tiny, tmp_path)
    assert bundle is tiny and bundle.session is None
    assert "running in PyTorch" in caplog.text and "exporter lacks an operator" in caplog.text
