"""A mask_gen dataset for training: manifest rows of one split, checked up front, served as tensors."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
import pytorch_lightning as pl
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler

from localize.common.errors import ConfigError, DatasetError
from localize.inference.preprocess import Preprocessing, read_dataset_json
from localize.media.images import read_image, read_mask
from localize.models import model_spec
from mask_gen.manifest import ManifestRow, read_manifest
from train.augment import AugmentConfig, build_augment

log = logging.getLogger(__name__)


def check_rows(root: Path, rows: list[ManifestRow], split: str) -> None:
    """Every image and mask exists and they agree in size (headers only): fail before training starts."""
    if not rows:
        raise DatasetError(f"the {split} split is empty", root / "manifest.csv")
    for row in rows:
        image, mask = root / row.image, root / row.mask
        for path in (image, mask):
            if not path.is_file():
                raise DatasetError(f"{split} sample {row.id}: file missing", path)
        try:
            with Image.open(image) as a, Image.open(mask) as b:
                sizes = a.size, b.size
        except Exception as error:  # Pillow raises several types for a file that is no image
            raise DatasetError(f"{split} sample {row.id}: not a readable image ({error})", image) from None
        if sizes[0] != sizes[1]:
            raise DatasetError(f"{split} sample {row.id}: mask is {sizes[1]}, image {sizes[0]}", mask)
        if min(sizes[0]) < 8:
            raise DatasetError(
                f"{split} sample {row.id}: image of {sizes[0]} is too small to train on", image
            )


class ForgeryDataset(Dataset):
    """(image float (3, H, W) in [0, 1] normalised, mask float (1, H, W), label float) per manifest row;
    with `record`, crops of another size are resized to its input size as it says (a mask pixel stays set
    where at least half of what it covers was)."""

    def __init__(
        self,
        root: Path,
        rows: list[ManifestRow],
        mean,
        std,
        augment=None,
        record: Preprocessing | None = None,
    ) -> None:
        self.root, self.rows, self.augment, self.record = root, rows, augment, record
        self.mean = np.asarray(mean, np.float32).reshape(3, 1, 1)
        self.std = np.asarray(std, np.float32).reshape(3, 1, 1)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int):
        row = self.rows[index]
        image = read_image(self.root / row.image)
        mask = read_mask(self.root / row.mask).astype(np.uint8)
        if self.record is not None and image.shape[:2] != self.record.input_size:
            height, width = self.record.input_size
            image = self.record.resize(image)
            covered = cv2.resize(mask.astype(np.float32), (width, height), interpolation=cv2.INTER_AREA)
            mask = (covered >= 0.5).astype(np.uint8)
        if self.augment is not None:
            out = self.augment(image=image, mask=mask)
            image, mask = out["image"], out["mask"]
        x = (image.transpose(2, 0, 1).astype(np.float32) / 255.0 - self.mean) / self.std
        return (
            torch.from_numpy(x),
            torch.from_numpy(mask[None].astype(np.float32)),
            torch.tensor(float(row.label)),
        )


def validation_forgeries(data_dir: str | Path, split: str, record: Preprocessing) -> ForgeryDataset:
    """A `forgeloc mask-gen` folder's `split` rows as validation for a model that crops as `record` does:
    resized to its input size, normalised as it is. Refused (ConfigError naming the folder) when the folder's
    crops are made otherwise (whole frames, another margin), since a figure on them would not say how the
    model does on its own crops; another detector's boxes are only warned about."""
    root = Path(data_dir)
    if not (root / "manifest.csv").is_file():
        raise ConfigError("no manifest.csv: not a forgeloc mask-gen folder", root)
    rows = [row for row in read_manifest(root) if row.split == split]
    check_rows(root, rows, split)
    if {row.label for row in rows} != {0, 1}:
        raise DatasetError(
            f"the {split} split needs real and fake crops for a frame AUC", root / "manifest.csv"
        )
    theirs = read_dataset_json(root)
    if theirs.crop != record.crop or abs(theirs.margin - record.margin) > 1e-6:
        raise ConfigError(
            f"its crops are {theirs.crop} crops at margin {theirs.margin}; the model's are {record.crop} crops "
            f"at margin {record.margin} (make them with --margin {record.margin})",
            root,
        )
    if theirs.detector != record.detector:
        log.warning(
            "%s: crops around %s boxes; the model's are around %s boxes",
            root,
            theirs.detector,
            record.detector,
        )
    return ForgeryDataset(root, rows, record.mean, record.std, record=record)


class ForgeryDataModule(pl.LightningDataModule):
    """Train/val/test loaders over a `forgeloc mask-gen` folder, split by source video as the manifest says."""

    def __init__(
        self,
        data_dir: str,
        batch_size: int = 16,
        num_workers: int = 0,
        augment: AugmentConfig = AugmentConfig(),
        model: str = "unet",
        balance_classes: bool = False,
    ) -> None:
        """`model` names the network being trained: its registry entry says how inputs are normalised.
        `balance_classes` draws training samples so that real and fake frames weigh the same (datasets
        pair each original with several fakes)."""
        super().__init__()
        self.save_hyperparameters(
            {"data_dir": data_dir, "batch_size": batch_size, "augment": asdict(augment)}
        )
        spec = model_spec(model)
        self.root = Path(data_dir)
        self.batch_size, self.num_workers = batch_size, num_workers
        self.augment, self.mean, self.std = augment, spec.mean, spec.std
        self.balance_classes = balance_classes
        self.splits: dict[str, list[ManifestRow]] = {}
        self._record: Preprocessing | None = None

    def setup(self, stage: str | None = None) -> None:
        rows = read_manifest(self.root)
        wanted = {"fit": ("train", "val"), "validate": ("val",), "test": ("test",), "predict": ("test",)}
        for split in wanted.get(stage or "fit", ("train", "val", "test")):
            chosen = [row for row in rows if row.split == split]
            check_rows(self.root, chosen, split)
            self.splits[split] = chosen

    def crop_size(self) -> list[int]:
        """[H, W] of the crops trained on (train split first): the input size an exported bundle declares."""
        rows = self.splits.get("train") or next(iter(self.splits.values()))
        with Image.open(self.root / rows[0].image) as image:
            return [image.height, image.width]

    def preprocessing(self) -> Preprocessing:
        """The dataset's record (OUT/dataset.json) at the crops' size, with the model's normalisation."""
        if self._record is None:
            self._record = read_dataset_json(self.root)
        return self._record.with_updates(input_size=tuple(self.crop_size()), mean=self.mean, std=self.std)

    def state_dict(self) -> dict:
        """Saved in every checkpoint, so `forgeloc export` writes the preprocessing record (and knows the
        input size) without the dataset."""
        if not self.splits:
            return {}
        return {"crop_size": self.crop_size(), "preprocessing": self.preprocessing().to_dict()}

    def summary(self) -> dict:
        """Counts per split and label, for the model bundle's data summary."""
        rows = read_manifest(self.root)
        return {
            "data_dir": str(self.root),
            "samples": {s: sum(r.split == s for r in rows) for s in ("train", "val", "test")},
            "fake": sum(r.label == 1 for r in rows),
            "methods": sorted({r.method for r in rows}),
        }

    def plain_loader(self, split: str) -> DataLoader:
        """A split in order, without augmentation (feature extraction, evaluation)."""
        return self._loader(split, train=False)

    def _loader(self, split: str, train: bool) -> DataLoader:
        augment = build_augment(self.augment) if train else None
        dataset = ForgeryDataset(self.root, self.splits[split], self.mean, self.std, augment)
        sampler = self._balanced_sampler(self.splits[split]) if train and self.balance_classes else None
        return DataLoader(
            dataset,
            batch_size=self.batch_size,
            shuffle=train and sampler is None,
            sampler=sampler,
            num_workers=self.num_workers,
            drop_last=train and len(dataset) > self.batch_size,
            persistent_workers=self.num_workers > 0,
        )

    @staticmethod
    def _balanced_sampler(rows: list[ManifestRow]) -> WeightedRandomSampler:
        counts = {label: sum(r.label == label for r in rows) for label in (0, 1)}
        weights = [1.0 / counts[r.label] for r in rows]
        return WeightedRandomSampler(weights, num_samples=len(rows), replacement=True)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", False)
