"""forgeloc core: media I/O, face cropping, decision rules, models and inference."""

from __future__ import annotations

__version__ = "0.1.0"


def __getattr__(name: str):
    """`from localize import Localizer` without importing torch for every `import localize`."""
    if name == "Localizer":
        from localize.inference.localizer import Localizer

        return Localizer
    raise AttributeError(f"module 'localize' has no attribute {name!r}")
