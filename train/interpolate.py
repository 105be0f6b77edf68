"""`forgeloc interpolate FROM TO --alpha A --out DIR/NAME`: a bundle whose weights lie on the straight line
between two bundles of the same model, (1 - A) * FROM + A * TO.

Weight-space ensembling (WiSE-FT: Wortsman et al., CVPR 2022, "Robust fine-tuning of zero-shot models"):
interpolating a fine-tuned model with the model it was fine-tuned from keeps much of the fine-tuning's gain
on its own data and much of the starting model's robustness elsewhere. Both bundles must share one
architecture, arguments and preprocessing record, and should share their initialisation (one fine-tuned
from the other, or both trained from the same start), else the line between them crosses nonsense.
Thresholds are the TO bundle's, a starting point only: search the new bundle's own with `forgeloc
thresholds`.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import torch

from localize.common.errors import BundleError, ConfigError
from localize.inference.bundle import Bundle, bundle_paths, load_bundle, save_bundle
from train.export import record_flip_average


def interpolate_states(start: dict, end: dict, alpha: float) -> dict:
    """(1 - alpha) * start + alpha * end for every floating tensor; other tensors (BatchNorm's step
    counters) are taken from `end`.

    Args:
        start: a model's state dict (alpha 0 gives it back).
        end: a state dict with the same keys and shapes (alpha 1 gives it back).
        alpha: share of `end`, in [0, 1].

    Raises:
        ConfigError: alpha outside [0, 1], or the two states differ in keys or shapes.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"alpha must be in [0, 1] (the share of the second model), got {alpha}")
    if set(start) != set(end):
        differing = sorted(set(start) ^ set(end))
        raise ConfigError(f"the two models hold different weights: {', '.join(differing[:3])}")
    shapes = sorted(k for k in start if start[k].shape != end[k].shape)
    if shapes:
        raise ConfigError(f"the two models' weights differ in shape: {', '.join(shapes[:3])}")
    return {
        key: torch.lerp(start[key].float(), end[key].float(), alpha).to(end[key].dtype)
        if end[key].is_floating_point()
        else end[key].clone()
        for key in end
    }


def _same_model(start: Bundle, end: Bundle) -> None:
    """Refuse, naming the TO bundle and the field, two bundles that are not the same model."""
    for field, first, second in (
        ("model", start.meta["model"], end.meta["model"]),
        ("arguments", start.meta.get("arguments", {}), end.meta.get("arguments", {})),
        ("preprocessing", start.preprocessing.to_dict(), end.preprocessing.to_dict()),
        ("test_time", start.meta.get("test_time", {}), end.meta.get("test_time", {})),  # flip averaging
    ):
        if first != second:
            raise BundleError(f"{field} differs from {start.path.name}'s: {second} against {first}", end.path)


def _weights_sha256(bundle: Bundle) -> str:
    """The checksum load_bundle already verified from the json; hashed here only for a json without one."""
    recorded = bundle.meta.get("weights", {}).get("sha256")
    return recorded or hashlib.sha256(bundle_paths(bundle.path)[1].read_bytes()).hexdigest()


def interpolate_bundles(
    start: str | Path, end: str | Path, alpha: float, out: str | Path, half: bool
) -> Path:
    """Write the bundle (1 - alpha) * start + alpha * end to `out`; return its json path."""
    first, second = load_bundle(start), load_bundle(end)
    _same_model(first, second)
    model = second.model
    model.load_state_dict(interpolate_states(first.model.state_dict(), second.model.state_dict(), alpha))
    data = {
        **second.meta.get("data", {}),
        "weight_interpolation": {
            "from": first.path.name,
            "from_weights_sha256": _weights_sha256(first),
            "to": second.path.name,
            "to_weights_sha256": _weights_sha256(second),
            "alpha": alpha,
        },
    }
    path = save_bundle(
        out,
        model.eval(),
        second.meta["model"],
        second.meta.get("arguments", {}),
        thresholds=second.meta.get("thresholds"),
        data=data,
        half=half,
        preprocessing=second.preprocessing,
    )
    if second.flip_average:  # both average each crop with its mirror image: so does the model between
        record_flip_average(path)
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("start", help="the first bundle (.json): alpha 0 gives it back")
    parser.add_argument("end", help="the second bundle, same model and preprocessing: alpha 1 gives it back")
    parser.add_argument(
        "--alpha", type=float, required=True, help="share of the second bundle's weights, in [0, 1]"
    )
    parser.add_argument("--out", required=True, help="bundle path without suffix: DIR/NAME")
    parser.add_argument("--half", action="store_true", help="store the weights as float16 (half the size)")


def run(args: argparse.Namespace) -> int:
    path = interpolate_bundles(args.start, args.end, args.alpha, args.out, args.half)
    print(
        f"bundle: {path} = {1 - args.alpha:g} x {Path(args.start).name} + {args.alpha:g} x "
        f"{Path(args.end).name}; thresholds copied from the second: search its own with "
        f"`forgeloc thresholds {path} --data DATASET`"
    )
    return 0
