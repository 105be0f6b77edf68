"""LightningModules: segmentation (U-Nets, smp) with BCE - ln(Dice), classification (MesoNet, timm) with
BCE on the frame label (mask non-empty = fake). Adam, optionally seed 002's step schedule."""

from __future__ import annotations

import logging
import math
from typing import Literal

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torchmetrics import MeanMetric
from torchmetrics.classification import BinaryAUROC, BinaryF1Score, BinaryStatScores

from localize.common.errors import ConfigError
from localize.inference.bundle import DEFAULT_THRESHOLDS
from localize.inference.decide import frame_is_fake
from localize.inference.localizer import default_bundle_path
from localize.models import build_model, model_spec
from localize.models.attacks import fgsm, pgd
from localize.models.zoo import CLASS_HEAD, load_encoder_weights, read_weights
from train.losses import bce_minus_log_dice

log = logging.getLogger(__name__)

# validation loaders in the order a datamodule gives them: its own held-out split, then (optionally) a
# folder of real forgeries (train.self_blend_data.SelfBlendDataModule's val_forgeries)
VALIDATION_STAGES = ("val", "val_forgeries")
STAGES = (*VALIDATION_STAGES, "test")


class _ForgeryModule(pl.LightningModule):
    """The model by registry name, Adam and the learning-rate schedule shared by both tasks."""

    task = ""

    def __init__(
        self,
        model: str = "unet",
        model_args: dict | None = None,
        lr: float = 1e-3,
        schedule: Literal["constant", "step", "cosine"] = "constant",
        step_size: int = 1000,
        gamma: float = 0.1,
        min_lr: float = 1e-6,
        init_weights: str | None = None,
        encoder_weights: str | None = None,
        encoder_lr_scale: float = 1.0,
        encoder_frozen_steps: int = 0,
        encoder_frozen_from_stride: int = 0,
        adversarial_eps: float = 0.0,
        adversarial_steps: int = 1,
        adversarial_fraction: float = 0.5,
    ) -> None:
        """`init_weights`: start from a bundle's .safetensors or a training .ckpt (fine-tuning); "default"
        names the bundled default model's weights (configs/sbi_adapt.yaml).
        `adversarial_eps` > 0 (grey levels of 255) turns on adversarial training (seed 000's defence): in
        every batch, `adversarial_fraction` of the fakes are replaced by copies attacked towards "real" on
        the current weights, FGSM when `adversarial_steps` is 1, else PGD with that many steps.
        `encoder_weights`: an ImageNet checkpoint (local file) for the encoder of an smp model; it is not
        part of the model's arguments, so a bundle never names a file its user lacks.
        `encoder_lr_scale`: the encoder's learning rate as a share of `lr` (smp models; 0 freezes it), so a
        pretrained encoder keeps more of what it learned while the decoder is trained (the schedule scales
        both alike).
        `encoder_frozen_steps`: the encoder stays frozen for this many optimizer steps while the decoder
        learns on its features, then trains at `encoder_lr_scale` x the scheduled lr (linear probing, then
        fine-tuning: LP-FT, Kumar et al. 2022), so its first updates are driven by a trained decoder, not a
        random one.
        `encoder_frozen_from_stride`: the encoder's stages whose output stride is at least this (smp's
        `get_stages()`: 16 and 32, the deep, semantic ones) keep the weights they were loaded with for the
        whole run while the shallower ones train at `encoder_lr_scale` (surgical fine-tuning, Lee et al.,
        ICLR 2023); 0 freezes none. Their batch-norm statistics still follow the data, as a frozen
        encoder's do."""
        super().__init__()
        self.save_hyperparameters()
        spec = model_spec(model)
        if spec.task != self.task:
            raise ConfigError(f"model {model!r} is a {spec.task} model; use the {spec.task} module for it")
        if not 0 <= encoder_lr_scale <= 1:
            raise ConfigError(f"encoder_lr_scale is a share of lr in 0..1, got {encoder_lr_scale}")
        if encoder_frozen_steps < 0 or (encoder_frozen_steps and encoder_lr_scale == 0):
            raise ConfigError(
                "encoder_frozen_steps is a step count >= 0 before the encoder trains; with encoder_lr_scale 0 "
                f"it never does (got {encoder_frozen_steps} steps at scale {encoder_lr_scale})"
            )
        if not (0 <= adversarial_eps <= 255 and adversarial_steps >= 1 and 0 <= adversarial_fraction <= 1):
            raise ConfigError(
                "adversarial training needs eps in 0..255 grey levels, steps >= 1 and a fraction in 0..1"
            )
        self.register_buffer("mean", torch.tensor(spec.mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(spec.std).view(1, 3, 1, 1), persistent=False)
        self.net = build_model(model, **(model_args or {}))
        needs_encoder = (
            encoder_weights or encoder_lr_scale != 1 or encoder_frozen_steps or encoder_frozen_from_stride
        )
        if needs_encoder and not hasattr(self.net, "encoder"):
            raise ConfigError(
                "encoder_weights, encoder_lr_scale, encoder_frozen_steps and encoder_frozen_from_stride need "
                f"a model with an encoder (smp:...), not {model!r}"
            )
        self._deep_stages = self._stages_from_stride(encoder_frozen_from_stride)
        if encoder_weights:
            load_encoder_weights(self.net.encoder, encoder_weights)
        if encoder_lr_scale == 0 or encoder_frozen_steps:  # frozen: no gradients computed, none stepped
            self.net.encoder.requires_grad_(False)
        self._freeze_deep_stages()
        if init_weights:
            if init_weights == "default":
                init_weights = str(default_bundle_path().with_suffix(".safetensors"))
            state = read_weights(init_weights)
            state = {
                k.removeprefix("net."): v.float() if v.is_floating_point() else v for k, v in state.items()
            }
            try:
                missing, unexpected = self.net.load_state_dict(state, strict=False)
            except RuntimeError as error:
                raise ConfigError(f"{init_weights}: weights do not fit {model}: {str(error)[:200]}") from None
            # a classification head added to a segmentation model's weights starts fresh; nothing else may
            if unexpected or [k for k in missing if not k.startswith(CLASS_HEAD)]:
                raise ConfigError(
                    f"{init_weights}: weights do not fit {model}: missing {missing[:3]}, "
                    f"unexpected {unexpected[:3]}"
                )

    def _stages_from_stride(self, stride: int) -> list[torch.nn.Module]:
        """The encoder's stages at output stride >= `stride` (none for 0)."""
        if not stride:
            return []
        stages = self.net.encoder.get_stages() if hasattr(self.net.encoder, "get_stages") else {}
        if stride not in stages:
            raise ConfigError(
                f"encoder_frozen_from_stride {stride}: this encoder's stages are at output strides "
                f"{sorted(stages) or 'none'} (or 0 to freeze none)"
            )
        return [module for key, modules in stages.items() if key >= stride for module in modules]

    def _freeze_deep_stages(self) -> None:
        """Holds `encoder_frozen_from_stride` for the whole run, whatever unfreezes the rest of the encoder."""
        for stage in self._deep_stages:
            stage.requires_grad_(False)

    def _evaluate(self, batch, stage: str) -> None:
        raise NotImplementedError

    def validation_step(self, batch, batch_index, dataloader_idx: int = 0):
        """The datamodule's held-out split ("val"), or its second loader, real forgeries ("val_forgeries")."""
        self._evaluate(batch, VALIDATION_STAGES[dataloader_idx])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def harden(self, x: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        """The batch with the chosen fakes attacked (adversarial training); unchanged when it is off."""
        eps, steps = self.hparams.adversarial_eps / 255.0, self.hparams.adversarial_steps
        if eps <= 0:  # off: no work, and no draw from the random stream plain training relies on
            return x
        chosen = (label > 0.5) & (torch.rand(len(x), device=x.device) < self.hparams.adversarial_fraction)
        if not chosen.any():
            return x
        training = self.net.training
        self.net.eval()  # craft on fixed batch-norm statistics, and leave them as they were

        def forward(pixels: torch.Tensor) -> torch.Tensor:
            return split_outputs(self.net((pixels - self.mean) / self.std))[0]

        pixels = (x[chosen] * self.std + self.mean).clamp(0.0, 1.0)
        attacked = fgsm(forward, pixels, eps) if steps == 1 else pgd(forward, pixels, eps, steps=steps)
        self.net.train(training)
        x = x.clone()
        x[chosen] = (attacked - self.mean) / self.std
        return x

    def on_train_batch_start(self, batch, batch_index) -> None:
        """Unfreezes the encoder once its `encoder_frozen_steps` are done (also on resuming after them)."""
        steps = self.hparams.encoder_frozen_steps
        encoder = self.net.encoder if steps else None
        if encoder is not None and self.global_step >= steps and not next(encoder.parameters()).requires_grad:
            log.info("step %d: the encoder trains from now on (encoder_frozen_steps)", self.global_step)
            encoder.requires_grad_(True)
            self._freeze_deep_stages()

    def parameter_groups(self) -> list[dict]:
        """Adam's parameter groups: the encoder at `encoder_lr_scale` x lr (left out when frozen), the
        rest at lr."""
        lr, scale = self.hparams.lr, self.hparams.encoder_lr_scale
        if scale == 1:
            return [{"params": list(self.parameters()), "lr": lr}]
        encoder = list(self.net.encoder.parameters())
        ids = {id(p) for p in encoder}
        groups = [{"params": [p for p in self.parameters() if id(p) not in ids], "lr": lr}]
        return groups + ([{"params": encoder, "lr": lr * scale}] if scale > 0 else [])

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameter_groups(), lr=self.hparams.lr)
        if self.hparams.schedule == "constant":
            return optimizer
        floor = self.hparams.min_lr / self.hparams.lr
        total = int(self.trainer.max_steps or 0)
        if self.hparams.schedule == "cosine" and total < 1:
            raise ConfigError("the cosine schedule runs over trainer.max_steps: set it (e.g. 9000)")

        def factor(step: int) -> float:
            if (
                self.hparams.schedule == "cosine"
            ):  # lr -> min_lr over trainer.max_steps (SGDR without restarts)
                return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(step, total) / total))
            # lr / 10 every step_size steps, never below min_lr (seed 002)
            return max(floor, self.hparams.gamma ** (step // self.hparams.step_size))

        def encoder_factor(step: int) -> float:  # nothing while frozen (shown so in the logged lr)
            return factor(step) if step >= self.hparams.encoder_frozen_steps else 0.0

        factors = [factor, encoder_factor][: len(optimizer.param_groups)]
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factors)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}


def split_outputs(output) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(mask logits (N, 1, H, W), frame logits (N,) or None): an smp model built with `aux_params`
    returns both, any other segmentation model the mask alone."""
    if isinstance(output, tuple | list):
        masks, labels = output
        return masks, labels.reshape(-1)
    return output, None


FRAME_RULE = {
    "threshold": DEFAULT_THRESHOLDS["threshold"],
    "min_region_px": DEFAULT_THRESHOLDS["min_region_px"],
}


class SegmentationModule(_ForgeryModule):
    """Pixel masks; logs Dice, IoU (dataset-wide over the epoch, torchmetrics stat scores), frame F1 by
    the frame rule every other part of forgeloc uses (localize.inference.decide: a region of more than 100 px above
    0.5 at the input resolution, the bundle defaults before a threshold search), the share of real frames
    that rule flags (`_real_flagged`, the false-alarm rate) and frame ROC-AUC of the frame score
    (threshold-free): the map's maximum, or the classification head's probability for a model built with
    smp's `aux_params` (whose map maximum's AUC is then logged as `_map_frame_auc`)."""

    task = "segmentation"

    def __init__(self, *args, class_loss_weight: float = 1.0, **kwargs) -> None:
        """`class_loss_weight`: the weight of the classification head's BCE on the frame label beside the
        mask's loss (models with `aux_params` only)."""
        super().__init__(*args, **kwargs)
        self.class_loss_weight = class_loss_weight
        self.frame_f1 = torch.nn.ModuleDict({s: BinaryF1Score() for s in STAGES})
        self.frame_auc = torch.nn.ModuleDict({s: BinaryAUROC() for s in STAGES})
        self.map_auc = torch.nn.ModuleDict({s: BinaryAUROC() for s in STAGES})
        self.pixels = torch.nn.ModuleDict({s: BinaryStatScores() for s in STAGES})
        self.real_flagged = torch.nn.ModuleDict({s: MeanMetric() for s in STAGES})

    def loss(self, output, mask: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        """BCE - ln(Dice) on the mask, plus the weighted frame BCE where the model has a head for it."""
        logits, frame_logits = split_outputs(output)
        loss = bce_minus_log_dice(logits, mask)
        if frame_logits is not None:
            loss = loss + self.class_loss_weight * F.binary_cross_entropy_with_logits(
                frame_logits, label.to(frame_logits.dtype)
            )
        return loss

    def training_step(self, batch, batch_index):
        x, mask, label = batch
        loss = self.loss(self(self.harden(x, label)), mask, label)
        self.log("train_loss", loss, prog_bar=True, batch_size=len(x))
        return loss

    def _evaluate(self, batch, stage: str) -> None:
        x, mask, label = batch
        output = self(x)
        loss = self.loss(output, mask, label)
        logits, frame_logits = split_outputs(output)
        self.log(f"{stage}_loss", loss, batch_size=len(x), sync_dist=True, add_dataloader_idx=False)
        self.pixels[stage].update(torch.sigmoid(logits), mask.long())
        maps = torch.sigmoid(logits)[:, 0].detach().float().cpu().numpy()
        flags = torch.tensor([frame_is_fake(m, **FRAME_RULE) for m in maps], device=label.device)
        self.frame_f1[stage].update(flags.long(), label.long())
        # weighted, not filtered: every rank updates every metric at every step, or DDP's sync mismatches
        self.real_flagged[stage].update(flags.float(), weight=(label < 0.5).float())
        map_scores = torch.sigmoid(logits).amax(dim=(1, 2, 3))
        if frame_logits is None:
            self.frame_auc[stage].update(map_scores, label.long())
        else:
            self.frame_auc[stage].update(torch.sigmoid(frame_logits), label.long())
            self.map_auc[stage].update(map_scores, label.long())

    def _finish(self, stage: str) -> None:
        tp, fp, _, fn, _ = self.pixels[stage].compute().double().unbind()
        self.pixels[stage].reset()
        # dataset-wide over the epoch; a split with no fake pixel and no false alarm scores 1
        self.log(f"{stage}_dice", float((2 * tp / (2 * tp + fp + fn)).nan_to_num(1.0)), prog_bar=True)
        self.log(f"{stage}_iou", float((tp / (tp + fp + fn)).nan_to_num(1.0)))
        self.log(f"{stage}_frame_f1", self.frame_f1[stage].compute())
        self.frame_f1[stage].reset()
        real_flagged = self.real_flagged[stage].compute()  # 0/0 = nan on a split with no real frame
        self.real_flagged[stage].reset()
        if not torch.isnan(real_flagged):
            self.log(f"{stage}_real_flagged", real_flagged)
        self.log(f"{stage}_frame_auc", self.frame_auc[stage].compute(), prog_bar=True)
        self.frame_auc[stage].reset()
        if self.map_auc[stage].update_called:
            self.log(f"{stage}_map_frame_auc", self.map_auc[stage].compute())
            self.map_auc[stage].reset()

    def on_validation_epoch_end(self):
        for stage in VALIDATION_STAGES:
            if self.frame_auc[stage].update_called:  # val_forgeries only when the datamodule has them
                self._finish(stage)

    def test_step(self, batch, batch_index):
        self._evaluate(batch, "test")

    def on_test_epoch_end(self):
        self._finish("test")


class ClassifierModule(_ForgeryModule):
    """Frame labels; logs accuracy, F1 and ROC-AUC."""

    task = "classification"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.f1 = torch.nn.ModuleDict({s: BinaryF1Score() for s in STAGES})
        self.auc = torch.nn.ModuleDict({s: BinaryAUROC() for s in STAGES})

    def training_step(self, batch, batch_index):
        x, _, label = batch
        loss = F.binary_cross_entropy_with_logits(self(self.harden(x, label)), label)
        self.log("train_loss", loss, prog_bar=True, batch_size=len(x))
        return loss

    def _evaluate(self, batch, stage: str) -> None:
        x, _, label = batch
        logits = self(x)
        self.log(
            f"{stage}_loss",
            F.binary_cross_entropy_with_logits(logits, label),
            batch_size=len(x),
            sync_dist=True,
            add_dataloader_idx=False,
        )
        self.f1[stage].update(torch.sigmoid(logits), label.long())
        self.auc[stage].update(torch.sigmoid(logits), label.long())
        self.log(f"{stage}_f1", self.f1[stage], prog_bar=True, add_dataloader_idx=False)
        self.log(f"{stage}_auc", self.auc[stage], add_dataloader_idx=False)

    def test_step(self, batch, batch_index):
        self._evaluate(batch, "test")
