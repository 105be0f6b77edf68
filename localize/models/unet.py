"""U-Net for manipulation masks: one configurable class, the seed's two presets (unet 32/5, unet_v1 16/6).

Modelled on NVIDIA's UNet Industrial (double 3x3 conv blocks, max-pool down, 2x up + conv, 1x1 head) with
optional BatchNorm. Output: one logit map at input resolution.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from localize.common.errors import ConfigError
from localize.models.registry import ModelSpec, register

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.1), "gelu": nn.GELU, "silu": nn.SiLU}
NORMS = {
    "batch": nn.BatchNorm2d,
    "instance": lambda c: nn.InstanceNorm2d(c, affine=True),
    "group": lambda c: nn.GroupNorm(min(8, c), c),
    "none": lambda c: nn.Identity(),
}
UPSAMPLING = ("transpose", "nearest", "bilinear")


def _block(cin: int, cout: int, norm: str, activation: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for channels_in in (cin, cout):
        layers += [nn.Conv2d(channels_in, cout, 3, padding=1), NORMS[norm](cout), ACTIVATIONS[activation]()]
    return nn.Sequential(*layers)


class _Up(nn.Module):
    """2x upsampling of the deeper features, concatenation with the skip, a conv block."""

    def __init__(self, cin: int, cout: int, norm: str, activation: str, upsampling: str) -> None:
        super().__init__()
        if upsampling == "transpose":
            self.up = nn.ConvTranspose2d(cin, cout, 2, stride=2)
        else:
            mode = (
                dict(mode=upsampling)
                if upsampling == "nearest"
                else dict(mode=upsampling, align_corners=False)
            )
            self.up = nn.Sequential(nn.Upsample(scale_factor=2, **mode), nn.Conv2d(cin, cout, 3, padding=1))
        self.conv = _block(2 * cout, cout, norm, activation)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.conv(torch.cat([self.up(x), skip], dim=1))


class UNet(nn.Module):
    """`depth` levels with `base_features` doubling per level; inputs whose sides are not a multiple of
    2^(depth-1) are edge-padded and the output cropped back (pad=False raises instead)."""

    def __init__(
        self,
        in_channels: int = 3,
        base_features: int = 32,
        depth: int = 5,
        norm: str = "batch",
        activation: str = "relu",
        upsampling: str = "transpose",
        pad: bool = True,
    ) -> None:
        super().__init__()
        if depth < 2 or base_features < 1:
            raise ConfigError(f"UNet needs depth >= 2 and base_features >= 1, got {depth}, {base_features}")
        for what, value, allowed in (
            ("norm", norm, NORMS),
            ("activation", activation, ACTIVATIONS),
            ("upsampling", upsampling, UPSAMPLING),
        ):
            if value not in allowed:
                raise ConfigError(f"UNet {what} must be one of {', '.join(allowed)}, got {value!r}")
        features = [base_features * 2**level for level in range(depth)]
        self.multiple = 2 ** (depth - 1)
        self.pad = pad
        self.down = nn.ModuleList(
            [
                _block(cin, cout, norm, activation)
                for cin, cout in zip([in_channels, *features], features, strict=False)
            ]
        )
        self.up = nn.ModuleList(
            [
                _Up(cin, cout, norm, activation, upsampling)
                for cin, cout in zip(features[:0:-1], features[-2::-1], strict=True)
            ]
        )
        self.head = nn.Conv2d(features[0], 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        extra_h, extra_w = -height % self.multiple, -width % self.multiple
        if extra_h or extra_w:
            if not self.pad:
                raise ConfigError(f"input sides must be multiples of {self.multiple}, got {height}x{width}")
            x = F.pad(x, (0, extra_w, 0, extra_h), mode="replicate")
        skips = []
        for level, block in enumerate(self.down):
            x = block(x if level == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        for up, skip in zip(self.up, reversed(skips[:-1]), strict=False):
            x = up(x, skip)
        return self.head(x)[..., :height, :width]


register(
    ModelSpec(
        "unet",
        "segmentation",
        lambda **kw: UNet(**{"base_features": 32, "depth": 5, **kw}),
        input_multiple=16,
    )
)
register(
    ModelSpec(
        "unet_v1",
        "segmentation",
        lambda **kw: UNet(**{"base_features": 16, "depth": 6, **kw}),
        input_multiple=32,
    )
)
