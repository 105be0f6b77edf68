"""The shipped default model in onnxruntime without an ONNX file in the package: its export is made once
into the cache, `$FORGELOC_HOME/onnx/NAME-KEY.onnx` (KEY a hash of the bundle's json and weights, so a
changed model is exported afresh), and checked against PyTorch on a probe batch every time it is opened.
When it cannot be made, opened or checked, the model runs in PyTorch as before, with one log line; when
the cache cannot be written, the export is used from memory."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from localize.common.atomic import write_bytes_atomic
from localize.inference.bundle import Bundle, bundle_paths, probabilities
from localize.inference.onnx_runtime import new_session, onnx_model, onnx_record

logger = logging.getLogger(__name__)

# largest difference in P(fake) between onnxruntime and PyTorch on the probe batch for the export to be
# used (float32 on both sides differs by about 1e-6; the frame rule's thresholds are steps of 0.05)
PROBE_TOLERANCE = 1e-3


def cache_file(bundle: Bundle, home: Path) -> Path:
    """Where the bundle's export is cached: home/onnx/NAME-KEY.onnx, KEY from the json's bytes, which
    record the weights' SHA-256 (load_bundle has checked the weights against it); the weights' own bytes
    only for a json that records none."""
    json_path, weights_path = bundle_paths(bundle.path)
    recorded = bundle.meta.get("weights", {}).get("sha256")
    weights = recorded.encode() if recorded else weights_path.read_bytes()
    digest = hashlib.sha256(json_path.read_bytes() + weights).hexdigest()[:16]
    return home / "onnx" / f"{json_path.stem}-{digest}.onnx"


def agrees(bundle: Bundle, session) -> float:
    """Largest |P(fake)| difference between the session and the bundle's PyTorch model on a fixed probe
    batch (two normalised crops of random values)."""
    height, width = bundle.preprocessing.input_size
    probe = torch.from_numpy(np.random.default_rng(0).standard_normal((2, 3, height, width), np.float32))
    torch_out = probabilities(replace(bundle, session=None), probe)
    onnx_out = probabilities(replace(bundle, session=session), probe)
    return float(np.abs(torch_out - onnx_out).max())


def _open(payload: bytes):
    """An onnxruntime session for `payload` (as for a bundle's NAME.onnx), or None."""
    try:
        return new_session(payload)
    except Exception as error:  # onnxruntime's own exception types
        logger.debug("cached ONNX model not loadable: %s", error)
        return None


def with_cached_onnx(bundle: Bundle, home: Path) -> Bundle:
    """The bundle running in onnxruntime from its cached export (made now if missing or unusable), its
    json record gaining "onnx" (sha256, and the file under "cached" when it is one) for provenance; the
    bundle as it was when no checked export can be had."""
    target = cache_file(bundle, home)
    try:
        payload = target.read_bytes() if target.is_file() else None
    except OSError:  # unreadable: exported afresh below
        payload = None
    session = _open(payload) if payload else None
    cached = session is not None
    if session is None or agrees(bundle, session) > PROBE_TOLERANCE:
        try:
            payload = onnx_model(bundle)
        except Exception as error:  # the exporter fails in many ways (missing onnx package, an op it lacks)
            logger.warning("%s: no ONNX export (%s); running in PyTorch", bundle.path, error)
            return bundle
        session = _open(payload)
        gap = agrees(bundle, session) if session is not None else None
        if gap is None or gap > PROBE_TOLERANCE:
            logger.warning(
                "%s: its ONNX export does not match PyTorch (%s); running in PyTorch", bundle.path, gap
            )
            return bundle
        try:
            write_bytes_atomic(target, payload)
            cached = True
            logger.debug("exported the model to %s for onnxruntime (once)", target)
        except OSError as error:
            cached = False
            logger.debug("%s: ONNX export not cached (%s); using it from memory", target, error)
    record = onnx_record(payload, **({"cached": str(target)} if cached else {}))
    return replace(bundle, meta={**bundle.meta, "onnx": record}, session=session)
