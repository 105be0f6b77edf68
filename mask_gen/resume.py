"""What a mask-gen OUT was made with (OUT/dataset.json): a rerun with other settings or data is refused."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from localize.common.errors import ConfigError
from localize.inference.preprocess import DATASET_JSON
from mask_gen.config import MaskGenConfig


def settings_of(config: MaskGenConfig, source: str | None = None) -> dict:
    """The settings that decide what a sample holds (not where the detector's file lies), and the input
    data they were applied to when known."""
    settings = json.loads(json.dumps(asdict(config), default=str))
    settings.pop("face_model", None)
    if source is not None:
        settings["source"] = source
    return settings


def check_settings(out: Path, config: MaskGenConfig, source: str | None = None) -> None:
    """Refuse to resume into OUT when it was made with other settings: its finished samples would be
    kept as if made with these, and the two sets mixed."""
    path = out / DATASET_JSON
    if not path.is_file():
        return
    try:
        before = json.loads(path.read_text(encoding="utf-8")).get("mask_gen")
    except (UnicodeDecodeError, ValueError, AttributeError):
        raise ConfigError("not a readable dataset.json; use another --out", path) from None
    if before is None:
        return  # made by a forgeloc that did not record its settings: resumed as before
    now = settings_of(config, source)
    if "source" not in now or "source" not in before:  # a caller that names no source checks settings only
        before, now = (
            {k: v for k, v in before.items() if k != "source"},
            {k: v for k, v in now.items() if k != "source"},
        )
    changed = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
    if changed:
        details = ", ".join(f"{k} {before.get(k)} -> {now.get(k)}" for k in changed[:5])
        raise ConfigError(
            f"was made with other settings ({details}); use another --out, or delete it to start over", out
        )
