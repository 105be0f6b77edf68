"""The seed's segmentation loss: LOSS = BCE - ln(Dice), with soft Dice on sigmoid probabilities."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def soft_dice(probabilities: torch.Tensor, target: torch.Tensor, smooth: float = 1.0) -> torch.Tensor:
    """Soft Dice over the whole batch (real frames with empty masks then do not score 0 on their own)."""
    intersection = (probabilities * target).sum()
    return (2 * intersection + smooth) / (probabilities.sum() + target.sum() + smooth)


def bce_minus_log_dice(logits: torch.Tensor, target: torch.Tensor, smooth: float = 1.0) -> torch.Tensor:
    """Mean pixel BCE on the logits minus the log of the batch's soft Dice; target in {0, 1}."""
    target = target.to(logits.dtype)
    bce = F.binary_cross_entropy_with_logits(logits, target)
    return bce - torch.log(soft_dice(torch.sigmoid(logits), target, smooth))
