"""Perturbations of test crops (the seeds' compression and blur findings, plus noise, resizing and
rotation) and the suite that re-evaluates a model under each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.evaluate import evaluate
from localize.common.errors import ConfigError
from localize.inference.bundle import Bundle
from mask_gen.synth.codecs.perturbations import KINDS, Perturb, parse_spec

__all__ = ["DEFAULT_SUITE", "KINDS", "Perturbation", "parse_suite", "robustness"]


@dataclass(frozen=True)
class Perturbation:
    """One degradation of a crop: `kind` in KINDS (mask_gen.synth.codecs.perturbations) at `level`."""

    kind: str
    level: float

    @property
    def label(self) -> str:
        return f"{self.kind} {self.level:g}"

    def __call__(self, images: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Perturbed uint8 images (N, H, W, 3) and their masks (moved only by rotation)."""
        transform = Perturb(self.kind, (self.level, self.level))
        pairs = [transform(image=image, mask=mask) for image, mask in zip(images, masks, strict=True)]
        return np.stack([p["image"] for p in pairs]), np.stack([p["mask"] for p in pairs])


# issue 5's suite: JPEG quality, H.264 CRF, blur kernel, noise sigma, scale, degrees
DEFAULT_SUITE = (
    *(Perturbation("jpeg", q) for q in (90, 70, 50, 30)),
    *(Perturbation("h264", c) for c in (23, 32, 40)),
    *(Perturbation("blur", k) for k in (3, 9, 15)),
    *(Perturbation("noise", s) for s in (5, 10, 20)),
    *(Perturbation("resize", s) for s in (0.5, 1.5)),
    *(Perturbation("rotate", d) for d in (5, 15)),
)


def parse_suite(text: str) -> tuple[Perturbation, ...]:
    """'default' or a comma list of kind:level (e.g. 'jpeg:50,blur:9'), checked before any work starts."""
    if text == "default":
        return DEFAULT_SUITE
    suite = []
    for item in text.split(","):
        spec = parse_spec(item)
        if spec.low != spec.high:
            raise ConfigError(
                f"perturbation {item.strip()!r}: the robustness suite takes one level, e.g. jpeg:50"
            )
        suite.append(Perturbation(spec.kind, spec.low))
    return tuple(suite)


def _row(result: dict, perturbation: Perturbation | None) -> dict:
    return {
        "perturbation": "none" if perturbation is None else perturbation.label,
        "kind": "none" if perturbation is None else perturbation.kind,
        "level": None if perturbation is None else perturbation.level,
        "frame_f1": result["frame"]["f1"],
        "frame_auc": result["frame"]["roc_auc"],
        "dice": result["pixel"]["dice_dataset"] if "pixel" in result else None,
    }


def robustness(
    bundle: Bundle,
    data_dir: str | Path,
    split: str,
    suite: tuple[Perturbation, ...],
    clean: dict | None = None,
) -> list[dict]:
    """Frame F1/AUC and pixel Dice (dataset-wide) clean and under each perturbation, one row each;
    `clean`: the unperturbed `evaluate` result when the caller already has it."""
    clean = clean or evaluate(bundle, data_dir, split, desc="robustness: clean")
    rows = [_row(clean, None)]
    for perturbation in suite:
        result = evaluate(bundle, data_dir, split, perturbation, desc=f"robustness: {perturbation.label}")
        rows.append(_row(result, perturbation))
    return rows
