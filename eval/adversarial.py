"""The adversarial suite (seed 000): FGSM and PGD push fake crops towards "real", white-box on the
model itself or transferred from a surrogate, judged as crafted and after JPEG/H.264 re-compression.
The attack success rate is seed 000's: the share of attacked fake frames the model then calls real."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from eval.evaluate import frame_flag
from eval.predict import batches, predict
from localize.common.errors import ConfigError, DatasetError
from localize.inference.bundle import Bundle, average_with_mirror
from localize.models.attacks import Forward, fgsm, pgd
from mask_gen.manifest import split_rows
from mask_gen.synth.codecs.compression import degrade, parse_condition

ATTACKS = ("fgsm", "pgd")


@dataclass(frozen=True)
class AttackConfig:
    """Which attacks, at which L-inf radii (grey levels out of 255), on how many fake test frames, judged
    after which re-compressions ('none', 'jpegQ', 'crfN')."""

    attacks: tuple[str, ...] = ATTACKS
    eps: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    pgd_steps: int = 20
    frames: int = 32
    recompress: tuple[str, ...] = ("none", "jpeg:75", "h264:23")

    def __post_init__(self) -> None:
        unknown = set(self.attacks) - set(ATTACKS)
        if unknown:
            raise ConfigError(f"unknown attack {sorted(unknown)}; use {', '.join(ATTACKS)}")
        if not self.eps or min(self.eps) <= 0 or max(self.eps) > 255:
            raise ConfigError(f"attack eps must be in (0, 255] grey levels, got {self.eps}")
        if self.pgd_steps < 1 or self.frames < 1:
            raise ConfigError("pgd steps and attacked frames must be at least 1")
        for condition in self.recompress:
            parse_condition(condition)  # an unknown name fails here, before any attack runs


def forward_of(bundle: Bundle, size: tuple[int, int]) -> Forward:
    """[0, 1] images of `size` -> the bundle's logits, resizing differentiably to its input size; for a
    flip-averaging bundle, the logit of its averaged probabilities (the attack aims at what it runs)."""
    record = bundle.preprocessing
    height, width = record.input_size
    mean = torch.tensor(record.mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(record.std, dtype=torch.float32).view(1, 3, 1, 1)

    def forward(x: torch.Tensor) -> torch.Tensor:
        if (height, width) != tuple(size):
            x = F.interpolate(x, size=(height, width), mode="bilinear", antialias=True, align_corners=False)
        x = (x * 255.0 * record.scale - mean) / std
        if not bundle.flip_average:
            return bundle.model(x)
        return torch.logit(average_with_mirror(lambda both: torch.sigmoid(bundle.model(both)), x), eps=1e-6)

    return forward


def fake_crops(data_dir: str | Path, split: str, count: int) -> np.ndarray:
    """`count` fake crops of the split, evenly spread over it (all of them if there are fewer)."""
    rows = [r for r in split_rows(data_dir, split) if r.label == 1]
    if not rows:
        raise DatasetError(f"the {split} split has no fake frame to attack", Path(data_dir) / "manifest.csv")
    picks = np.unique(np.linspace(0, len(rows) - 1, min(count, len(rows))).round().astype(int))
    return np.concatenate([images for images, _ in batches(data_dir, [rows[i] for i in picks])])


def craft(
    source: Bundle, images: np.ndarray, attack: str, eps: float, steps: int, batch: int = 16
) -> np.ndarray:
    """Adversarial uint8 crops from `source`'s gradients (rounded: what an attacker can publish)."""
    forward = forward_of(source, images.shape[1:3])
    out = []
    for start in range(0, len(images), batch):
        x = torch.from_numpy(images[start : start + batch]).permute(0, 3, 1, 2).float() / 255.0
        torch.manual_seed(start)  # PGD's random start, repeatable
        x = fgsm(forward, x, eps / 255.0) if attack == "fgsm" else pgd(forward, x, eps / 255.0, steps=steps)
        out.append((x * 255.0).round().byte().permute(0, 2, 3, 1).numpy())
    return np.concatenate(out)


def real_rate(bundle: Bundle, images: np.ndarray, condition: str) -> float:
    """The share of (fake) crops the bundle calls real after re-compression `condition`."""
    judged = [degrade([image], condition)[0] for image in images]
    flags = [frame_flag(bundle, output) for output in predict(bundle, np.stack(judged))]
    return 1.0 - float(np.mean(flags))


def attack_table(
    target: Bundle, data_dir: str | Path, split: str, config: AttackConfig, sources: dict[str, Bundle]
) -> list[dict]:
    """One row per source x attack x eps x re-compression: attack success rate against `target`, and the
    share of the same frames it already calls real without attack (after the same re-compression).
    `sources` maps a name to the bundle whose gradients craft the attack ("white-box" for `target`)."""
    images = fake_crops(data_dir, split, config.frames)
    clean = {condition: real_rate(target, images, condition) for condition in config.recompress}
    rows = []
    plan = [(name, attack, eps) for name in sources for attack in config.attacks for eps in config.eps]
    for source_name, attack, eps in tqdm(plan, desc="attacks", unit="attack", file=sys.stderr, leave=False):
        adversarial = craft(sources[source_name], images, attack, eps, config.pgd_steps)
        for condition in config.recompress:
            rows.append(
                {
                    "source": source_name,
                    "attack": attack,
                    "eps": eps,
                    "recompress": condition,
                    "frames": len(images),
                    "success_rate": real_rate(target, adversarial, condition),
                    "clean_real_rate": clean[condition],
                }
            )
    return rows
