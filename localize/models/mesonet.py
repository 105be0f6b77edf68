"""MesoNet (Afchar et al. 2018), faithful to the Keras original: Meso4 and MesoInception4 on 256x256.

Layer order as in the Keras code: conv + ReLU, then BatchNorm (eps 1e-3), then max-pool. The output is one
logit of P(fake); the original's sigmoid meant P(real), which `localize.models.keras` flips when porting.
"""

from __future__ import annotations

import torch
from torch import nn

from localize.common.errors import ConfigError
from localize.models.registry import ModelSpec, register

KERAS_BN_EPS = 1e-3


class _ConvBlock(nn.Sequential):
    """Conv 'same' + ReLU, BatchNorm, max-pool."""

    def __init__(self, cin: int, cout: int, kernel: int, pool: int) -> None:
        super().__init__(
            nn.Conv2d(cin, cout, kernel, padding=kernel // 2),
            nn.ReLU(),
            nn.BatchNorm2d(cout, eps=KERAS_BN_EPS),
            nn.MaxPool2d(pool),
        )


class Inception(nn.Module):
    """MesoInception's block: 1x1 | 1x1->3x3 | 1x1->3x3 dilation 2 | 1x1->3x3 dilation 3, concatenated."""

    def __init__(self, cin: int, a: int, b: int, c: int, d: int) -> None:
        super().__init__()
        self.x1 = nn.Sequential(nn.Conv2d(cin, a, 1), nn.ReLU())
        self.x2 = self._branch(cin, b, 1)
        self.x3 = self._branch(cin, c, 2)
        self.x4 = self._branch(cin, d, 3)

    @staticmethod
    def _branch(cin: int, width: int, dilation: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(cin, width, 1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=dilation, dilation=dilation),
            nn.ReLU(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.x1(x), self.x2(x), self.x3(x), self.x4(x)], dim=1)


HEAD_ACTIVATIONS = {"leaky_relu": lambda: nn.LeakyReLU(0.1), "relu": nn.ReLU, "linear": nn.Identity}


class MesoNet(nn.Module):
    """Meso4 (inception=False) or MesoInception4; 256x256 RGB in [0, 1] -> one logit of P(fake).

    `features(x)` gives the 16-d penultimate activations (used by the SVM variant)."""

    def __init__(
        self, inception: bool = False, head_activation: str = "leaky_relu", dropout: float = 0.5
    ) -> None:
        super().__init__()
        if head_activation not in HEAD_ACTIVATIONS:
            raise ConfigError(
                f"head_activation must be one of {', '.join(HEAD_ACTIVATIONS)}, got {head_activation!r}"
            )
        if inception:
            first: list[nn.Module] = [
                Inception(3, 1, 4, 4, 2),
                nn.BatchNorm2d(11, eps=KERAS_BN_EPS),
                nn.MaxPool2d(2),
                Inception(11, 2, 4, 4, 2),
                nn.BatchNorm2d(12, eps=KERAS_BN_EPS),
                nn.MaxPool2d(2),
            ]
            width = 12
        else:
            first = [_ConvBlock(3, 8, 3, 2), _ConvBlock(8, 8, 5, 2)]
            width = 8
        self.body = nn.Sequential(*first, _ConvBlock(width, 16, 5, 2), _ConvBlock(16, 16, 5, 4))
        self.hidden = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(1024, 16), HEAD_ACTIVATIONS[head_activation]()
        )
        self.out = nn.Sequential(nn.Dropout(dropout), nn.Linear(16, 1))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2:] != (256, 256):
            raise ConfigError(f"MesoNet takes 256x256 input, got {tuple(x.shape[-2:])}")
        return self.hidden(self.body(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x)).squeeze(1)


register(ModelSpec("meso4", "classification", lambda **kw: MesoNet(inception=False, **kw)))
register(ModelSpec("mesoinception4", "classification", lambda **kw: MesoNet(inception=True, **kw)))
