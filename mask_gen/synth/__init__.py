"""Synthetic real/fake pairs whose manipulated region is known exactly."""

from __future__ import annotations

from mask_gen.synth.manipulations import MANIPULATIONS, SynthPair, make_image_pair

__all__ = ["MANIPULATIONS", "SynthPair", "make_image_pair"]
