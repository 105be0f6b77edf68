"""A callback for the DDP test: each rank saves its final weights, so the test can compare them."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch


class RankWeights(pl.Callback):
    """On train end, rank R writes its module's state dict to DEFAULT_ROOT_DIR/rankR.pt."""

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        state = {k: v.detach().cpu().clone() for k, v in pl_module.state_dict().items()}
        torch.save(state, Path(trainer.default_root_dir) / f"rank{trainer.global_rank}.pt")
