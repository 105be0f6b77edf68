"""A bundle's ONNX model: exporting it to NAME.onnx beside the json (checksum recorded there), opening
it with onnxruntime after checking that checksum, and saying which runtime a loaded bundle uses.
`Bundle.predict` runs whichever runtime the bundle holds."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import torch

from localize.common.atomic import write_bytes_atomic
from localize.common.errors import BundleError, ConfigError
from localize.inference.bundle import Bundle, bundle_paths, load_bundle, update_meta


def onnx_path(path: str | Path) -> Path:
    """NAME.onnx beside the bundle."""
    json_path, _ = bundle_paths(path)
    return json_path.with_suffix(".onnx")


def onnx_model(bundle: Bundle) -> bytes:
    """The bundle's model as ONNX (input "image", output "logits", batch axis dynamic)."""
    import warnings

    height, width = bundle.preprocessing.input_size
    dummy = torch.zeros(1, 3, height, width)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        buffer = io.BytesIO()
        torch.onnx.export(
            bundle.model,
            (dummy,),
            buffer,
            input_names=["image"],
            output_names=["logits"],
            dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
            dynamo=False,
        )
    return buffer.getvalue()


def attach_onnx(path: str | Path, payload: bytes, **details) -> Path:
    """Write `payload` as the bundle's NAME.onnx and record its checksum (and `details`) in the json."""
    target = onnx_path(path)
    write_bytes_atomic(target, payload)
    record = onnx_record(payload, **details)
    update_meta(path, lambda meta: meta.update(onnx=record))
    return target


def onnx_record(payload: bytes, **details) -> dict:
    """The bundle json's "onnx" entry for an ONNX model's bytes: its checksum, input and output names."""
    return {"sha256": hashlib.sha256(payload).hexdigest(), "input": "image", "output": "logits", **details}


def add_onnx(path: str | Path) -> Path:
    """Export the bundle's model to NAME.onnx (float32) and record its checksum in the json."""
    return attach_onnx(path, onnx_model(load_bundle(path)))


def new_session(payload: bytes):
    """An onnxruntime session for an ONNX model's bytes on the CPU, idle worker threads sleeping instead of
    spinning, as inspect decodes and tracks on other threads meanwhile (measured once on 2 cores: 10 % more
    frames/s end to end in float32, 20 % in int8; the model alone 4 % slower). onnxruntime raises its own
    exception types for a malformed model."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(payload, options, providers=["CPUExecutionProvider"])


def onnx_session(path: str | Path, meta: dict):
    """An onnxruntime session for the bundle's NAME.onnx, checked against the json's checksum."""
    target = onnx_path(path)
    if not target.is_file():
        raise BundleError("the bundle's json names an ONNX model but NAME.onnx is missing", target)
    payload = target.read_bytes()
    if hashlib.sha256(payload).hexdigest() != meta["onnx"]["sha256"]:
        raise BundleError("ONNX model does not match the checksum in the bundle json", target)
    try:
        return new_session(payload)
    except Exception as error:  # onnxruntime's own exception types
        raise BundleError(f"not a loadable ONNX model ({type(error).__name__})", target) from None


def use_onnx(bundle: Bundle) -> Bundle:
    """Run the bundle's ONNX model (NAME.onnx) with onnxruntime from now on."""
    if "onnx" not in bundle.meta or bundle.path is None:
        raise ConfigError("runtime onnx asked for, but the bundle has no ONNX model (forgeloc export --onnx)")
    bundle.session = onnx_session(bundle.path, bundle.meta)
    return bundle


def runtime_of(bundle: Bundle) -> str:
    """What runs the model, for provenance: "pytorch", "onnxruntime" or "onnxruntime int8"."""
    if bundle.session is None:
        return "pytorch"
    return "onnxruntime int8" if "int8" in bundle.meta.get("onnx", {}) else "onnxruntime"
