"""BCE - ln(Dice) against a hand computation."""

from __future__ import annotations

import math

import torch

from train.losses import bce_minus_log_dice


def test_loss_matches_a_hand_computation():
    logits = torch.tensor([[0.0, 2.0], [-1.0, 1.0]])
    target = torch.tensor([[0.0, 1.0], [0.0, 1.0]])
    p = [0.5, 1 / (1 + math.exp(-2)), 1 / (1 + math.exp(1)), 1 / (1 + math.exp(-1))]
    t = [0, 1, 0, 1]
    bce = -sum(ti * math.log(pi) + (1 - ti) * math.log(1 - pi) for pi, ti in zip(p, t, strict=True)) / 4
    dice = (2 * (p[1] + p[3]) + 1) / (sum(p) + 2 + 1)
    assert math.isclose(bce_minus_log_dice(logits, target).item(), bce - math.log(dice), rel_tol=1e-6)


def test_loss_is_smallest_for_the_right_mask_and_has_gradients():
    target = torch.zeros(1, 1, 8, 8)
    target[..., 2:6, 2:6] = 1
    right = (target * 2 - 1) * 6
    wrong = -right
    assert bce_minus_log_dice(right, target) < 0.01 < bce_minus_log_dice(wrong, target)
    logits = torch.zeros(1, 1, 8, 8, requires_grad=True)
    bce_minus_log_dice(logits, target).backward()
    assert logits.grad.abs().sum() > 0
