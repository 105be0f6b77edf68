"""Self-blended training data made on the fly from a folder of real face photos (SBI, Shiohara &
Yamasaki 2022): every epoch sees a fresh blend of every training face beside the real face itself, both
through the same video-like degradations (mask_gen.synth.self_blend_set). Validation holds out whole
people and draws its blends and degradations from fixed seeds, so every validation pass sees the same
crops. Optionally, a folder of real forgeries you may choose on is validated beside them.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from localize.errors import ConfigError
from localize.models import model_spec
from localize.preprocess import Preprocessing
from mask_gen.synth.portraits import FacePhoto, read_face_index, split_people
from mask_gen.synth.self_blend import SelfBlendConfig
from mask_gen.synth.self_blend_set import DegradeConfig, SelfBlendSampler, check_shares
from train.data import ForgeryDataset, validation_forgeries


def monitored(trainer: pl.Trainer) -> set[str]:
    """The metrics the trainer's callbacks (checkpoints, early stopping) watch."""
    return {
        monitor
        for callback in trainer.callbacks
        if isinstance(monitor := getattr(callback, "monitor", None), str)
    }


class SelfBlendDataset(Dataset):
    """(image normalised (3, H, W), binary blend mask (1, H, W), label) of a SelfBlendSampler's items."""

    def __init__(self, sampler: SelfBlendSampler) -> None:
        self.sampler = sampler

    def __len__(self) -> int:
        return len(self.sampler)

    def __getitem__(self, index: int):
        image, alpha = self.sampler.sample(index)
        x = self.sampler.record.normalize(image[None])[0]
        mask = (alpha > self.sampler.blend.mask_cut).astype(np.float32)
        return torch.from_numpy(x), torch.from_numpy(mask[None]), torch.tensor(float(index % 2))


class SelfBlendDataModule(pl.LightningDataModule):
    """Train/val loaders of self-blends over a face-photo folder (`index.csv`), split by person.

    The preprocessing record (face crops around the detector's boxes, `margin`, `input_size`, the model's
    normalisation) is saved in every checkpoint, so `forgeloc export` writes it into the bundle.
    """

    def __init__(
        self,
        face_dir: str,
        input_size: int = 128,
        margin: float = 1.3,
        detector: str = "yunet",
        batch_size: int = 16,
        num_workers: int = 0,
        val_fraction: float = 0.1,
        degrade: DegradeConfig = DegradeConfig(),
        blend: SelfBlendConfig = SelfBlendConfig(),
        model: str = "unet",
        donor_share: float = 0.0,
        poisson_share: float = 0.0,
        val_forgeries: str | None = None,
        val_forgeries_split: str = "val",
    ) -> None:
        """`detector` is whose boxes index.csv holds (YuNet's for ../shared's portraits); `model` names
        the network being trained, whose registry entry gives the input normalisation; `donor_share` of
        the training fakes blend in another training person's face instead of the photo's own
        (`mask_gen.synth.self_blend.donor_blend`), `poisson_share` are cloned in the gradient domain
        (`poisson_self_blend`); validation stays self-blended, so runs compare.

        `val_forgeries`: a `forgeloc mask-gen` folder of real forgeries you may choose on (made, say, from
        your own FF++ training-split pairs; never your test videos). Its `val_forgeries_split` rows are
        validated after the self-blends at every validation and logged as `val_forgeries_frame_auc`,
        `val_forgeries_dice` and so on, so a checkpoint callback can monitor how the model does on real
        forgeries rather than on its own task. Its crops must be face crops at this `margin`
        (`train.data.validation_forgeries`); they are resized to `input_size`."""
        check_shares(donor_share, poisson_share)
        super().__init__()
        spec = model_spec(model)
        self.record = Preprocessing(
            crop="face",
            margin=margin,
            detector=detector,
            input_size=(input_size, input_size),
            mean=spec.mean,
            std=spec.std,
        )
        self.save_hyperparameters(
            {
                "face_dir": face_dir,
                "batch_size": batch_size,
                "degrade": asdict(degrade),
                "blend": asdict(blend),
                "donor_share": donor_share,
                "poisson_share": poisson_share,
                "val_forgeries": val_forgeries,
                "val_forgeries_split": val_forgeries_split,
            }
        )
        self.face_dir, self.batch_size, self.num_workers = face_dir, batch_size, num_workers
        self.val_fraction, self.degrade, self.blend = val_fraction, degrade, blend
        self.donor_share, self.poisson_share = donor_share, poisson_share
        self.val_forgeries, self.val_forgeries_split = val_forgeries, val_forgeries_split
        self.splits: dict[str, list[FacePhoto]] = {}
        self.forgeries: ForgeryDataset | None = None

    def setup(self, stage: str | None = None) -> None:
        self.splits = split_people(read_face_index(self.face_dir), self.val_fraction)
        for split, photos in self.splits.items():
            if not photos:
                raise ConfigError(
                    f"the {split} split of {self.face_dir} is empty (val_fraction {self.val_fraction})"
                )
        if self.val_forgeries:  # checked before the first step, not at the first validation
            self.forgeries = validation_forgeries(self.val_forgeries, self.val_forgeries_split, self.record)
        elif self.trainer is not None:  # a callback waiting for figures nobody will log fails now, not later
            waiting = sorted(m for m in monitored(self.trainer) if m.startswith("val_forgeries"))
            if waiting:
                raise ConfigError(
                    f"a callback monitors {waiting[0]}, but no folder of real forgeries is given "
                    "(--data.init_args.val_forgeries)"
                )

    def state_dict(self) -> dict:
        """Saved in every checkpoint: the record export copies into the bundle."""
        return {"preprocessing": self.record.to_dict(), "crop_size": list(self.record.input_size)}

    def dataset(self, split: str) -> SelfBlendDataset:
        """The split's dataset: fresh draws for training, fixed seeds for validation."""
        train = split == "train"
        sampler = SelfBlendSampler(
            self.splits[split],
            self.record,
            self.degrade,
            self.blend,
            None if train else 0,
            donor_share=self.donor_share if train else 0.0,
            poisson_share=self.poisson_share if train else 0.0,
        )
        return SelfBlendDataset(sampler)

    def _loader(self, split: str) -> DataLoader:
        train = split == "train"
        return DataLoader(
            self.dataset(split),
            batch_size=self.batch_size,
            shuffle=train,
            num_workers=self.num_workers,
            drop_last=train,
            persistent_workers=self.num_workers > 0,
        )

    def train_dataloader(self) -> DataLoader:
        return self._loader("train")

    def val_dataloader(self) -> DataLoader | list[DataLoader]:
        """The held-out self-blends; with `val_forgeries`, those and then the real forgeries (the modules
        log the second loader's figures as `val_forgeries_*`)."""
        if self.forgeries is None:
            return self._loader("val")
        forgeries = DataLoader(self.forgeries, batch_size=self.batch_size, num_workers=self.num_workers)
        return [self._loader("val"), forgeries]
