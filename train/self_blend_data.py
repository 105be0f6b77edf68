"""Self-blended training data made on the fly from a folder of real face photos (SBI, Shiohara &
Yamasaki 2022): every epoch sees a fresh blend of every training face beside the real face itself.

Both classes then pass through the same video-like degradations (small faces, blur, noise, colour
casts, grey, JPEG or H.264), so neither class can be told apart by how it was stored. Validation holds
out whole people and draws its blends and degradations from fixed seeds, so every validation pass sees
the same crops.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import albumentations as A
import cv2
import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from localize.errors import ConfigError
from localize.faces import expand_box
from localize.images import read_image
from localize.models import model_spec
from localize.preprocess import Preprocessing
from mask_gen.synth.h264 import H264Compression
from mask_gen.synth.portraits import FacePhoto, read_face_index, split_people
from mask_gen.synth.self_blend import SelfBlendConfig, self_blend


@dataclass(frozen=True)
class DegradeConfig:
    """Probabilities of the video-like degradations applied to real and fake crops alike."""

    hflip: float = 0.5
    small_face: float = 0.4  # down to 30-90 % of the input size and back up
    blur: float = 0.2
    noise: float = 0.2
    colour: float = 0.3  # a colour cast / brightness-contrast change
    grey: float = 0.05
    compress: float = 0.9  # JPEG 30-95 or H.264 CRF 18-40, half each
    crop_jitter: float = 0.08  # margin and centre of the crop vary by this fraction

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not 0 <= value <= 1:
                raise ConfigError(f"degradation {name} must be in [0, 1], got {value}")


def build_degrade(config: DegradeConfig) -> A.Compose:
    """The albumentations pipeline for `config` (the mask follows the flip)."""
    return A.Compose(
        [
            A.HorizontalFlip(p=config.hflip),
            A.Downscale(
                scale_range=(0.3, 0.9),
                interpolation_pair={"downscale": cv2.INTER_AREA, "upscale": cv2.INTER_LINEAR},
                p=config.small_face,
            ),
            A.GaussianBlur(blur_limit=(3, 5), p=config.blur),
            A.OneOf(
                [
                    A.RGBShift(r_shift_limit=15, g_shift_limit=15, b_shift_limit=15, p=1.0),
                    A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=1.0),
                ],
                p=config.colour,
            ),
            A.ToGray(p=config.grey),
            A.GaussNoise(std_range=(0.01, 0.04), p=config.noise),
            A.OneOf(
                [
                    A.ImageCompression(quality_range=(30, 95), p=1.0),
                    H264Compression(crf_range=(18, 40), p=1.0),
                ],
                p=config.compress,
            ),
        ]
    )


class SelfBlendDataset(Dataset):
    """Items 2i (the real face of photo i) and 2i + 1 (a self-blend of it): (image, mask, label)."""

    def __init__(
        self,
        photos: list[FacePhoto],
        record: Preprocessing,
        degrade: DegradeConfig,
        blend: SelfBlendConfig = SelfBlendConfig(),
        fixed_seed: int | None = None,
    ) -> None:
        """`fixed_seed` makes item k the same on every pass (validation); None draws afresh."""
        self.photos, self.record, self.degrade, self.blend = photos, record, degrade, blend
        self.fixed_seed = fixed_seed
        self.transform = build_degrade(degrade)
        self._cache: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return 2 * len(self.photos)

    def _photo(self, number: int) -> np.ndarray:
        if number not in self._cache:  # small JPEGs: 2,900 decoded photos take about 0.5 GB
            self._cache[number] = read_image(self.photos[number].path)
        return self._cache[number]

    def sample(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(RGB uint8 crop at the input size, soft mask float32) of item `index`, before normalising."""
        seed = None if self.fixed_seed is None else (self.fixed_seed, index)
        rng = np.random.default_rng(seed)
        photo = self.photos[index // 2]
        image = self._photo(index // 2)
        alpha = np.zeros(image.shape[:2], np.float32)
        if index % 2:
            image, alpha = self_blend(image, photo.landmark_array(), rng, self.blend)
        jitter = self.degrade.crop_jitter
        x0, y0, x1, y1 = photo.box
        shift = rng.uniform(-jitter, jitter, 2) * max(x1 - x0, y1 - y0)
        moved = (round(x0 + shift[0]), round(y0 + shift[1]), round(x1 + shift[0]), round(y1 + shift[1]))
        margin = self.record.margin * (1 + rng.uniform(-jitter, jitter))
        box = expand_box(moved, image.shape, margin)
        crop = self.record.resize(image[box[1] : box[3], box[0] : box[2]])
        height, width = self.record.input_size
        alpha = cv2.resize(
            alpha[box[1] : box[3], box[0] : box[2]], (width, height), interpolation=cv2.INTER_LINEAR
        )
        self.transform.set_random_seed(int(rng.integers(2**31)))
        out = self.transform(image=crop, mask=alpha)
        return out["image"], out["mask"]

    def __getitem__(self, index: int):
        image, alpha = self.sample(index)
        x = self.record.normalize(image[None])[0]
        mask = (alpha > self.blend.mask_cut).astype(np.float32)
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
    ) -> None:
        """`detector` is whose boxes index.csv holds (YuNet's for ../shared's portraits); `model` names
        the network being trained, whose registry entry gives the input normalisation."""
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
            }
        )
        self.face_dir, self.batch_size, self.num_workers = face_dir, batch_size, num_workers
        self.val_fraction, self.degrade, self.blend = val_fraction, degrade, blend
        self.splits: dict[str, list[FacePhoto]] = {}

    def setup(self, stage: str | None = None) -> None:
        self.splits = split_people(read_face_index(self.face_dir), self.val_fraction)
        for split, photos in self.splits.items():
            if not photos:
                raise ConfigError(
                    f"the {split} split of {self.face_dir} is empty (val_fraction {self.val_fraction})"
                )

    def state_dict(self) -> dict:
        """Saved in every checkpoint: the record export copies into the bundle."""
        return {"preprocessing": self.record.to_dict(), "crop_size": list(self.record.input_size)}

    def summary(self) -> dict:
        """What the model was trained on, for the bundle's data summary."""
        return {
            "face_dir": str(self.face_dir),
            "photos": {split: len(photos) for split, photos in self.splits.items()},
            "people": {split: len({p.person for p in photos}) for split, photos in self.splits.items()},
        }

    def dataset(self, split: str) -> SelfBlendDataset:
        """The split's dataset: fresh draws for training, fixed seeds for validation."""
        fixed = None if split == "train" else 0
        return SelfBlendDataset(self.splits[split], self.record, self.degrade, self.blend, fixed)

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

    def val_dataloader(self) -> DataLoader:
        return self._loader("val")
