"""forgeloc core: media I/O, face cropping, decision rules, models and inference."""

from __future__ import annotations

__version__ = "0.1.0"
