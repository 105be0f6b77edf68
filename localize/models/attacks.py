"""White-box L-inf attacks that push a forgery detector towards "real" (seed 000): FGSM and PGD on
images in [0, 1]. Shared by evaluation (attack success rates) and training (adversarial training)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

# images in [0, 1] (N, 3, H, W) -> logits of P(fake): (N, 1, H, W) maps or (N,) scores
Forward = Callable[[torch.Tensor], torch.Tensor]


def realness_loss(logits: torch.Tensor) -> torch.Tensor:
    """BCE of every output (each pixel of a map) against "real": what the attacker drives down."""
    return F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))


def pgd(
    forward: Forward,
    images: torch.Tensor,
    eps: float,
    steps: int = 20,
    step_size: float | None = None,
    random_start: bool = True,
) -> torch.Tensor:
    """Projected gradient descent on `realness_loss` within an L-inf ball of radius `eps` around `images`
    (in [0, 1]); step_size defaults to 2.5 eps / steps (Madry et al.; with 10 steps our U-Nets resist,
    the overshooting sign steps look like forgery artefacts to them). The result is detached."""
    step = 2.5 * eps / steps if step_size is None else step_size
    images = images.detach()
    x = images
    if random_start:
        x = (images + torch.empty_like(images).uniform_(-eps, eps)).clamp(0.0, 1.0)
    for _ in range(steps):
        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            (gradient,) = torch.autograd.grad(realness_loss(forward(x)), x)
        x = x.detach() - step * gradient.sign()
        x = torch.min(torch.max(x, images - eps), images + eps).clamp(0.0, 1.0)
    return x.detach()


def fgsm(forward: Forward, images: torch.Tensor, eps: float) -> torch.Tensor:
    """The fast gradient sign method: one full step of size `eps`."""
    return pgd(forward, images, eps, steps=1, step_size=eps, random_start=False)
