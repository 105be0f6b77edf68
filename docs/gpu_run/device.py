"""Run 21 on one GPU: measure the data workers' rate, train configs/sbi_mobilenet_v2_gpu.yaml for as many
steps as they feed in TRAIN_S seconds, export the last three saved checkpoints as flip-averaged float16
bundles. docs/gpu_run/device.sh calls it (see there); it also runs on a CPU with tiny settings:

    python docs/gpu_run/device.py OUT_DIR TRAIN_S [extra LightningCLI arguments]
"""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

import cv2
import torch
import yaml
from torch.utils.data import DataLoader

from mask_gen.synth.self_blend_set import DegradeConfig
from train.cli import fit
from train.export import export_checkpoint, record_flip_average
from train.self_blend_data import SelfBlendDataModule

CONFIG = "configs/sbi_mobilenet_v2_gpu.yaml"
PROBE_S = 15.0  # seconds of data-worker output measured after the first batch


def data_rate(init_args: dict, seconds: float) -> float:
    """Training crops a second that the config's data workers make (after their first batch)."""
    args = {**init_args, "degrade": DegradeConfig(**init_args.get("degrade", {}))}
    module = SelfBlendDataModule(**args, model="smp:Unet:mobilenet_v2")
    module.setup("fit")
    loader = DataLoader(
        module.dataset("train"),
        batch_size=args["batch_size"],
        shuffle=True,
        num_workers=args["num_workers"],
    )
    batches = iter(loader)
    next(batches)
    start, count = time.perf_counter(), 0
    for batch in batches:  # one epoch at most
        count += len(batch[0])
        if time.perf_counter() - start > seconds:
            break
    return count / (time.perf_counter() - start)


def step_number(path: Path) -> int:
    found = re.search(r"step=(\d+)", path.name)
    return int(found.group(1)) if found else -1


def main(out: Path, train_s: float, extra: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cv2.setNumThreads(1)  # one thread a data worker: the workers are the parallelism
    torch.set_float32_matmul_precision("high")
    out.mkdir(parents=True, exist_ok=True)
    data_args = yaml.safe_load(Path(CONFIG).read_text())["data"]["init_args"]
    for arg, value in zip(extra, extra[1:], strict=False):
        if arg.startswith("--data.init_args."):
            data_args[arg.removeprefix("--data.init_args.")] = yaml.safe_load(value)
    rate = data_rate(data_args, PROBE_S)
    steps = max(10, int(rate * train_s / data_args["batch_size"]))
    logging.info("data workers: %.0f crops/s -> %d steps of %d", rate, steps, data_args["batch_size"])
    limit = int(train_s * 1.15) + 30  # a guard: the steps, not the clock, should end the run
    clock = f"00:00:{limit // 60:02d}:{limit % 60:02d}"
    trainer = fit(
        ["--config", CONFIG, "--trainer.max_steps", str(steps), "--trainer.max_time", clock, *extra]
    )
    folder = Path(trainer.checkpoint_callback.dirpath)
    saved = sorted(folder.glob("every-*.ckpt"), key=step_number)
    final = folder / f"final-step={trainer.global_step}.ckpt"  # the averaged weights at the last step
    trainer.save_checkpoint(final)
    chosen = [*[p for p in saved if step_number(p) < trainer.global_step][-2:], final]
    for checkpoint in chosen:
        step = step_number(checkpoint)
        bundle = export_checkpoint(checkpoint, out / f"run21_{step}", half=True)
        record_flip_average(bundle)
        logging.info("exported %s (step %d)", bundle, step)
    metrics = Path(trainer.logger.log_dir) / "metrics.csv"
    if metrics.is_file():
        (out / "metrics.csv").write_bytes(metrics.read_bytes())


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:])
