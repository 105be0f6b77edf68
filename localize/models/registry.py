"""The model registry: a name -> how to build it, what it predicts and how its input is scaled.

Plain names ("unet", "meso4") are registered by the modules of this package; "smp:Arch:encoder" and
"timm:name" are resolved on demand from segmentation-models-pytorch and timm, never downloading weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from torch import nn

from localize.common.errors import ConfigError

Task = Literal["segmentation", "classification"]

IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
UNIT = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))


@dataclass(frozen=True)
class ModelSpec:
    """What a registered name builds: a logit map (segmentation) or one logit (classification) of P(fake).

    Inputs are RGB scaled to [0, 1], then normalised with `mean`/`std` per channel.
    """

    name: str
    task: Task
    build: Callable[..., nn.Module]
    mean: tuple[float, float, float] = UNIT[0]
    std: tuple[float, float, float] = UNIT[1]
    input_multiple: int = 1


_REGISTRY: dict[str, ModelSpec] = {}
_PREFIXES: dict[str, Callable[[str], ModelSpec]] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add a model under its name (module import time)."""
    if spec.name in _REGISTRY:
        raise ValueError(f"model {spec.name!r} registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def register_prefix(prefix: str, resolve: Callable[[str], ModelSpec]) -> None:
    """Resolve names "prefix:..." with `resolve` (used for the smp and timm zoos)."""
    _PREFIXES[prefix] = resolve


def model_spec(name: str) -> ModelSpec:
    """The spec of a registered name, or a clear ConfigError listing what exists."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    prefix = name.split(":", 1)[0]
    if ":" in name and prefix in _PREFIXES:
        return _PREFIXES[prefix](name)
    raise ConfigError(
        f"unknown model {name!r}; choose from {', '.join(list_models())} or smp:<Arch>:<encoder>, timm:<name>"
    )


def list_models() -> list[str]:
    """Registered plain names, sorted."""
    return sorted(_REGISTRY)


def build_model(name: str, **kwargs) -> nn.Module:
    """A freshly initialised model (no download, ever); kwargs go to its constructor."""
    spec = model_spec(name)
    try:
        return spec.build(**kwargs)
    except TypeError as error:
        raise ConfigError(f"model {name!r}: {error}") from None
