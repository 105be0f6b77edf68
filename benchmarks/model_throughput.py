"""Training and inference images/s at 256x256 on this CPU for each model, as ratios to meso4.

Run: python benchmarks/model_throughput.py [--batch 8] [--seconds 6]
Training = forward + BCE - ln(Dice) (or BCE on the label) + backward + Adam step.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from localize.models import build_model, model_spec
from train.losses import bce_minus_log_dice

MODELS = ["meso4", "mesoinception4", "unet_v1", "unet", "smp:Unet:resnet34"]


def rate(step, batch: int, seconds: float) -> float:
    """Images per second of `step` over about `seconds`, after one warm-up call."""
    step()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        done += batch
    return done / (time.perf_counter() - start)


def measure(name: str, batch: int, seconds: float) -> tuple[float, float]:
    model = build_model(name)
    x = torch.rand(batch, 3, 256, 256)
    mask = (torch.rand(batch, 1, 256, 256) > 0.8).float()
    label = torch.ones(batch)
    segmentation = model_spec(name).task == "segmentation"
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)

    def train_step():
        optimizer.zero_grad()
        out = model(x)
        loss = (
            bce_minus_log_dice(out, mask) if segmentation else F.binary_cross_entropy_with_logits(out, label)
        )
        loss.backward()
        optimizer.step()

    def infer_step():
        with torch.inference_mode():
            model(x)

    model.train()
    training = rate(train_step, batch, seconds)
    model.eval()
    return training, rate(infer_step, batch, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    results = {name: measure(name, args.batch, args.seconds) for name in MODELS}
    base_train, base_infer = results["meso4"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, 256x256")
    print("| model | train img/s | x meso4 | infer img/s | x meso4 |")
    print("| --- | --- | --- | --- | --- |")
    for name, (train, infer) in results.items():
        print(f"| {name} | {train:.1f} | {train / base_train:.2f} | {infer:.1f} | {infer / base_infer:.2f} |")


if __name__ == "__main__":
    main()
