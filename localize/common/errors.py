"""Exceptions that carry the offending path and a reason, so the CLI can print one readable line."""

from __future__ import annotations

from pathlib import Path


class ForgelocError(Exception):
    """Base of every error forgeloc reports to the user instead of a traceback."""

    def __init__(self, reason: str, path: str | Path | None = None) -> None:
        self.reason = reason
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {reason}" if self.path else reason)


class MediaError(ForgelocError):
    """An image or video cannot be read, decoded or written."""


class PairError(ForgelocError):
    """A real/fake pair cannot be differenced: missing partner, size or frame-count mismatch."""


class ConfigError(ForgelocError):
    """A setting has an invalid value."""


class DatasetError(ForgelocError):
    """A dataset folder does not follow the layout its adapter expects."""


class BundleError(ForgelocError):
    """A model bundle is missing, unreadable, or its json and weights disagree."""
