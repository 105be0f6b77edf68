"""Self-blended training data made on the fly from a folder of real face photos (SBI, Shiohara &
Yamasaki 2022): every epoch sees a fresh blend of every training face beside the real face itself, both
through the same video-like degradations (mask_gen.synth.selfblend.sampler). Validation holds out whole
people and draws its blends and degradations from fixed seeds, so every validation pass sees the same
crops. Optionally, a folder of real forgeries you may choose on is validated beside them.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler

from localize.common.errors import ConfigError
from localize.inference.preprocess import Preprocessing
from localize.models import model_spec
from mask_gen.synth.selfblend.blend import SelfBlendConfig
from mask_gen.synth.selfblend.degrade import DegradeConfig
from mask_gen.synth.selfblend.portraits import FacePhoto, read_face_index, split_people
from mask_gen.synth.selfblend.sampler import SelfBlendSampler, check_shares
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


def as_list(value, count: int, name: str) -> list:
    """`value` repeated `count` times when it is one value, else the list itself (of that length)."""
    values = list(value) if isinstance(value, (list, tuple)) else [value] * count
    if len(values) != count:
        raise ConfigError(f"{name} needs one value per face folder ({count}), got {len(values)}")
    return values


def draw_weights(photos_per_folder: list[list[FacePhoto]], folder_weights: list[float], video_share):
    """One training weight per sampler item (each photo's real and fake), so that folder k gives
    `folder_weights[k]` of all draws (normalised), and within a folder holding both photos and video
    frames (`FacePhoto.is_video_frame`), `video_share` of its draws are frames (None: as listed)."""
    if any(w < 0 for w in folder_weights) or not sum(folder_weights):
        raise ConfigError(f"face_weights must be >= 0 with a positive sum, got {folder_weights}")
    if video_share is not None and not 0 <= video_share <= 1:
        raise ConfigError(f"video_share must be in [0, 1], got {video_share}")
    weights = []
    for photos, weight in zip(photos_per_folder, folder_weights, strict=True):
        frames = sum(p.is_video_frame for p in photos)
        stills = len(photos) - frames
        for photo in photos:
            if video_share is None or not frames or not stills:
                share = 1 / len(photos)
            else:
                share = video_share / frames if photo.is_video_frame else (1 - video_share) / stills
            weights += [weight * share] * 2
    return torch.tensor(weights, dtype=torch.double) / sum(folder_weights)


class SelfBlendDataModule(pl.LightningDataModule):
    """Train/val loaders of self-blends over one or more face folders (`index.csv`), split by person.

    Several folders (`face_dir` a list) are mixed by `face_weights` (share of the training draws of each)
    and, within a folder of photos and video frames, by `video_share`; each folder is split by person
    with its own `val_fraction`, and `val_photos` caps how many held-out photos a folder validates.

    The preprocessing record (face crops around the detector's boxes, `margin`, `input_size`, the model's
    normalisation) is saved in every checkpoint, so `forgeloc export` writes it into the bundle.
    """

    def __init__(
        self,
        face_dir: str | list[str],
        input_size: int = 128,
        margin: float = 1.3,
        detector: str = "yunet",
        batch_size: int = 16,
        num_workers: int = 0,
        val_fraction: float | list[float] = 0.1,
        degrade: DegradeConfig = DegradeConfig(),
        blend: SelfBlendConfig = SelfBlendConfig(),
        model: str = "unet",
        donor_share: float = 0.0,
        poisson_share: float = 0.0,
        rendered_share: float = 0.0,
        val_forgeries: str | None = None,
        val_forgeries_split: str = "val",
        face_weights: list[float] | None = None,
        video_share: float | None = None,
        val_photos: int | list[int | None] | None = None,
        val_degrade: DegradeConfig | None = None,
    ) -> None:
        """`detector` is whose boxes index.csv holds (YuNet's for ../shared's portraits); `model` names
        the network being trained, whose registry entry gives the input normalisation; `donor_share` of
        the training fakes blend in another training person's face instead of the photo's own
        (`mask_gen.synth.selfblend.blend.donor_blend`), `poisson_share` are cloned in the gradient domain
        (`poisson_self_blend`), `rendered_share` are made by the rendered edits (a low-resolution face of
        another training person as FaceSwap draws one, or the mouth re-rendered as NeuralTextures does;
        `mask_gen.synth.selfblend.rendered_forgeries`); validation stays self-blended, so runs compare.

        `val_forgeries`: a `forgeloc mask-gen` folder of real forgeries you may choose on (made, say, from
        your own FF++ training-split pairs; never your test videos). Its `val_forgeries_split` rows are
        validated after the self-blends at every validation and logged as `val_forgeries_frame_auc`,
        `val_forgeries_dice` and so on, so a checkpoint callback can monitor how the model does on real
        forgeries rather than on its own task. Its crops must be face crops at this `margin`
        (`train.data.validation_forgeries`); they are resized to `input_size`.

        `val_degrade` degrades the held-out self-blends instead of `degrade` (None: the same), so arms that
        train on different degradations still validate on the same images."""
        check_shares(donor_share, poisson_share, rendered_share)
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
        self.face_dirs = list(face_dir) if isinstance(face_dir, (list, tuple)) else [face_dir]
        self.val_fractions = as_list(val_fraction, len(self.face_dirs), "val_fraction")
        self.face_weights = as_list(
            1.0 if face_weights is None else face_weights, len(self.face_dirs), "face_weights"
        )
        self.video_share = video_share
        self.val_photos = as_list(val_photos, len(self.face_dirs), "val_photos")
        self.save_hyperparameters(
            {
                "face_dir": face_dir,
                "face_weights": self.face_weights,
                "video_share": video_share,
                "val_fraction": val_fraction,
                "val_photos": val_photos,
                "batch_size": batch_size,
                "degrade": asdict(degrade),
                "val_degrade": None if val_degrade is None else asdict(val_degrade),
                "blend": asdict(blend),
                "donor_share": donor_share,
                "poisson_share": poisson_share,
                "rendered_share": rendered_share,
                "val_forgeries": val_forgeries,
                "val_forgeries_split": val_forgeries_split,
            }
        )
        self.face_dir, self.batch_size, self.num_workers = face_dir, batch_size, num_workers
        self.degrade, self.blend = degrade, blend
        self.val_degrade = degrade if val_degrade is None else val_degrade
        self.donor_share, self.poisson_share = donor_share, poisson_share
        self.rendered_share = rendered_share
        self.val_forgeries, self.val_forgeries_split = val_forgeries, val_forgeries_split
        self.splits: dict[str, list[FacePhoto]] = {}
        self.train_weights: torch.Tensor | None = None
        self.forgeries: ForgeryDataset | None = None

    def setup(self, stage: str | None = None) -> None:
        per_folder = []
        for folder, fraction, cap in zip(self.face_dirs, self.val_fractions, self.val_photos, strict=True):
            splits = split_people(read_face_index(folder), fraction)
            for split, photos in splits.items():
                if not photos:
                    raise ConfigError(f"the {split} split of {folder} is empty (val_fraction {fraction})")
            if cap is not None:
                splits["val"] = splits["val"][:cap]
            per_folder.append(splits)
        self.splits = {s: [p for splits in per_folder for p in splits[s]] for s in ("train", "val")}
        mixed = len(self.face_dirs) > 1 or self.video_share is not None
        self.train_weights = (
            draw_weights([f["train"] for f in per_folder], self.face_weights, self.video_share)
            if mixed
            else None
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
            self.degrade if train else self.val_degrade,
            self.blend,
            None if train else 0,
            donor_share=self.donor_share if train else 0.0,
            poisson_share=self.poisson_share if train else 0.0,
            rendered_share=self.rendered_share if train else 0.0,
        )
        return SelfBlendDataset(sampler)

    def _loader(self, split: str) -> DataLoader:
        train = split == "train"
        weighted = train and self.train_weights is not None
        sampler = WeightedRandomSampler(self.train_weights, len(self.train_weights)) if weighted else None
        return DataLoader(
            self.dataset(split),
            batch_size=self.batch_size,
            shuffle=train and not weighted,
            sampler=sampler,
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
