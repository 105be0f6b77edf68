"""Port the original Keras MesoNet weights (h5, read with h5py) into our MesoNet.

Layers are matched by creation order (the number in the Keras layer name), not by position in the file.
Conv kernels go HWIO -> OIHW; the first dense layer's rows go from Keras' (h, w, c) flatten order to
PyTorch's (c, h, w); the last layer is negated so the logit means P(fake) instead of the original P(real).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from torch import nn

from localize.common.errors import ConfigError, MediaError
from localize.models.mesonet import MesoNet


def _keras_layers(path: Path) -> dict[str, list[tuple[int, dict[str, np.ndarray]]]]:
    """Weighted layers by kind (conv2d, batch_normalization, dense), each sorted by its Keras number."""
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise MediaError(f"not a readable Keras h5 file ({error})", path) from None
    with handle:
        try:
            return _read_layers(handle, path)
        except (KeyError, TypeError, ValueError, AttributeError, OSError) as error:
            raise MediaError(f"not a Keras weights file of the expected layout ({error})", path) from None


def _read_layers(handle, path: Path) -> dict[str, list[tuple[int, dict[str, np.ndarray]]]]:
    """The weighted layers of an open h5 file; KeyError and friends when its layout is not Keras's."""
    layers: dict[str, list[tuple[int, dict[str, np.ndarray]]]] = {}
    for raw in handle.attrs["layer_names"]:
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        group = handle[name]
        weight_names = [w.decode() if isinstance(w, bytes) else str(w) for w in group.attrs["weight_names"]]
        if not weight_names:
            continue
        match = re.fullmatch(r"(.+)_(\d+)", name)
        if match is None:
            raise MediaError(f"unexpected Keras layer name {name!r}", path)
        weights = {w.split("/")[-1].split(":")[0]: np.asarray(group[w]) for w in weight_names}
        layers.setdefault(match.group(1), []).append((int(match.group(2)), weights))
    return {kind: sorted(found, key=lambda item: item[0]) for kind, found in layers.items()}


def keras_mesonet_state_dict(path: str | Path, model: MesoNet) -> dict[str, torch.Tensor]:
    """A state dict for `model` (Meso4 or MesoInception4) from the original Keras weights file."""
    path = Path(path)
    layers = _keras_layers(path)
    ours = {
        kind: [(name, module) for name, module in model.named_modules() if isinstance(module, cls)]
        for kind, cls in (
            ("conv2d", nn.Conv2d),
            ("batch_normalization", nn.BatchNorm2d),
            ("dense", nn.Linear),
        )
    }
    for kind, modules in ours.items():
        if len(layers.get(kind, [])) != len(modules):
            raise ConfigError(
                f"{path.name} has {len(layers.get(kind, []))} {kind} layers, the model {len(modules)}: "
                "wrong architecture for these weights"
            )
    state: dict[str, np.ndarray] = {}
    for (name, _), (_, w) in zip(ours["conv2d"], layers["conv2d"], strict=True):
        state[f"{name}.weight"] = w["kernel"].transpose(3, 2, 0, 1)
        state[f"{name}.bias"] = w["bias"]
    for (name, _), (_, w) in zip(ours["batch_normalization"], layers["batch_normalization"], strict=True):
        state[f"{name}.weight"], state[f"{name}.bias"] = w["gamma"], w["beta"]
        state[f"{name}.running_mean"], state[f"{name}.running_var"] = w["moving_mean"], w["moving_variance"]
    (hidden, _), (out, _) = ours["dense"]
    first, last = layers["dense"][0][1], layers["dense"][1][1]
    kernel = first["kernel"].reshape(8, 8, 16, -1).transpose(2, 0, 1, 3).reshape(1024, -1)
    state[f"{hidden}.weight"], state[f"{hidden}.bias"] = kernel.T, first["bias"]
    state[f"{out}.weight"], state[f"{out}.bias"] = -last["kernel"].T, -last["bias"]
    tensors = {
        key: torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)) for key, value in state.items()
    }
    for name, buffer in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            tensors[name] = buffer.clone()
    return tensors


def load_keras_mesonet(path: str | Path, head_activation: str = "leaky_relu") -> MesoNet:
    """MesoNet with the original weights; the architecture (Meso4 or Inception) is read from the file."""
    layers = _keras_layers(Path(path))
    model = MesoNet(inception=len(layers.get("conv2d", [])) > 4, head_activation=head_activation)
    try:
        model.load_state_dict(keras_mesonet_state_dict(path, model))
    except (KeyError, ValueError, IndexError, RuntimeError) as error:
        raise MediaError(
            f"weights do not fit MesoNet ({type(error).__name__}: {str(error)[:120]})", path
        ) from None
    return model.eval()
