"""Manipulation masks from real/fake pairs, synthetic pairs with exact masks, dataset adapters."""

from __future__ import annotations

from mask_gen.core import MaskConfig, make_mask

__all__ = ["MaskConfig", "make_mask"]
