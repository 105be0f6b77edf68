"""Manipulation masks from real/fake pairs, synthetic pairs with exact masks, dataset adapters."""

from __future__ import annotations

__all__ = ["MaskConfig", "make_mask"]


def __getattr__(name: str):
    """`from mask_gen import make_mask` without importing OpenCV for every `import mask_gen` (the
    command line imports this package to learn its subcommands)."""
    if name in __all__:
        from mask_gen import core

        return getattr(core, name)
    raise AttributeError(f"module 'mask_gen' has no attribute {name!r}")
