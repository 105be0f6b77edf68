"""Models by name: build_model("unet" | "unet_v1" | "meso4" | "mesoinception4" | "smp:Arch:enc" | "timm:name")."""

from localize.models import mesonet, svm, unet, zoo  # noqa: F401  (registration)
from localize.models.registry import ModelSpec, build_model, list_models, model_spec

__all__ = ["ModelSpec", "build_model", "list_models", "model_spec"]
