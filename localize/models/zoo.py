"""The seeds' other models, through well-kept libraries: "smp:<Arch>:<encoder>" segmentation models and
"timm:<name>" classifiers. Random initialisation; weights only from a local file the user names."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import torch
from torch import nn

from localize.common.errors import ConfigError, MediaError
from localize.models.registry import IMAGENET, ModelSpec, register_prefix

log = logging.getLogger(__name__)

# the prefix of the weights of smp's classification head beside the mask (a model built with `aux_params`)
CLASS_HEAD = "classification_head."


def load_failure(error: BaseException) -> str:
    """Why torch.load(weights_only=True) refused a file, in a few words. Torch's own message for a
    pickle of anything but tensors goes on to suggest weights_only=False, which forgeloc never does."""
    if isinstance(error, pickle.UnpicklingError):
        return "not a PyTorch file, or one holding objects other than weights, which forgeloc never unpickles"
    return f"{type(error).__name__}: {str(error)[:200]}"


def read_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """A state dict from .safetensors, or from a torch file without unpickling anything but tensors."""
    path = Path(path)
    if not path.is_file():
        raise MediaError("weights file not found", path)
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise MediaError(f"not a readable weights file ({load_failure(error)})", path) from None
    return state.get("state_dict", state) if isinstance(state, dict) else state


def load_matching(module: nn.Module, state: dict[str, torch.Tensor], path: str | Path) -> None:
    """Load the tensors whose names and shapes match (a pretrained backbone into a new head)."""
    own = module.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    if not usable:
        raise ConfigError(f"{path}: no tensor in this file matches the model's names and shapes")
    module.load_state_dict(usable, strict=False)


def encoder_state(encoder: nn.Module, state: dict[str, torch.Tensor], path: str | Path) -> dict:
    """An ImageNet checkpoint's tensors under the encoder's own names, every encoder tensor covered.

    Names are used where they match (torchvision's MobileNetV2 in smp's `mobilenet_v2`, once its
    `classifier.*` head is dropped); otherwise tensors are paired in order when every shape agrees
    (lukemelas' EfficientNet-Lite0 names onto timm's `tf_efficientnet_lite0`). ConfigError otherwise.
    """
    own = {k: v for k, v in encoder.state_dict().items() if not k.endswith("num_batches_tracked")}
    theirs = {
        k: v
        for k, v in state.items()
        if not k.endswith("num_batches_tracked") and not k.startswith(("classifier.", "_fc.", "fc."))
    }
    if all(k in theirs and theirs[k].shape == v.shape for k, v in own.items()):
        return {k: theirs[k] for k in own}
    ours, others = list(own.items()), list(theirs.items())
    if len(ours) == len(others) and all(
        a.shape == b.shape for (_, a), (_, b) in zip(ours, others, strict=True)
    ):
        return {name: tensor for (name, _), (_, tensor) in zip(ours, others, strict=True)}
    raise ConfigError(
        f"{path}: its {len(theirs)} tensors match neither the names nor, in order, the shapes of this "
        f"encoder's {len(own)}"
    )


def load_encoder_weights(encoder: nn.Module, path: str | Path) -> None:
    """Load an ImageNet checkpoint (a local file: nothing downloads) into an smp encoder, strictly."""
    mapped = encoder_state(encoder, read_weights(path), path)
    encoder.load_state_dict(mapped, strict=False)
    log.info("encoder weights: %d tensors from %s", len(mapped), path)


def _smp(name: str) -> ModelSpec:
    import segmentation_models_pytorch as smp

    try:
        _, arch, encoder = name.split(":")
    except ValueError:
        raise ConfigError(f"smp models are named smp:<Arch>:<encoder>, got {name!r}") from None
    cls = getattr(smp, arch, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ConfigError(
            f"segmentation-models-pytorch has no architecture {arch!r} (e.g. Unet, FPN, UnetPlusPlus)"
        )

    def build(encoder_weights: str | None = None, **kwargs) -> nn.Module:
        try:
            model = cls(encoder_name=encoder, encoder_weights=None, in_channels=3, classes=1, **kwargs)
        except KeyError as error:
            raise ConfigError(f"segmentation-models-pytorch has no encoder {encoder!r} ({error})") from None
        if encoder_weights:
            load_encoder_weights(model.encoder, encoder_weights)
        return model

    return ModelSpec(name, "segmentation", build, *IMAGENET, input_multiple=32)


class _OneLogit(nn.Module):
    """A timm classifier with one output, returned as shape (N,)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


def _timm(name: str) -> ModelSpec:
    import timm

    arch = name.split(":", 1)[1]
    if not timm.is_model(arch):
        raise ConfigError(f"timm has no model {arch!r} (e.g. xception, efficientnet_b7, vgg16, resnet50)")

    def build(weights: str | None = None, **kwargs) -> nn.Module:
        net = timm.create_model(arch, pretrained=False, num_classes=1, **kwargs)
        if weights:
            load_matching(net, read_weights(weights), weights)
        return _OneLogit(net)

    return ModelSpec(name, "classification", build, *IMAGENET)


register_prefix("smp", _smp)
register_prefix("timm", _timm)
