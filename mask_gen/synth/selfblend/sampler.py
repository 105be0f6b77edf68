"""Self-blended crops made on the fly from a folder of real face photos (SBI, Shiohara & Yamasaki 2022):
every draw gives a fresh blend of a face beside the real face itself, both cropped as the preprocessing
record says and passed through the same video-like degradations (small faces, blur, noise, colour casts,
grey, JPEG or H.264), so neither class can be told apart by how it was stored. With a fixed seed every
draw repeats (validation). `write_self_blend_dataset` writes such crops in the mask-gen format.

The fake of a pair may instead be made by one of the portrait edits (`FORGERIES`: a donor face from
another person of the same split, Poisson-blended; a recolouring; a tone-and-warp; or, imitating FaceSwap
and NeuralTextures, a donor face drawn at low resolution and a re-rendered mouth): forgeries a
self-blend-trained model never saw, for validation that is not the training task over again.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.faces.tracker import expand_box
from localize.inference.preprocess import Preprocessing, write_dataset_json
from localize.media.images import read_image, write_png
from mask_gen.manifest import MANIFEST_COLUMNS, write_manifest
from mask_gen.synth.selfblend.blend import (
    SelfBlendConfig,
    blend_alpha,
    donor_blend,
    is_grey,
    poisson_self_blend,
    self_blend,
)
from mask_gen.synth.selfblend.degrade import DegradeConfig, build_degrade
from mask_gen.synth.selfblend.framing import FAR_FACE_WIDTHS, VIDEO_FACE_WIDTHS, far_face, video_face
from mask_gen.synth.selfblend.portrait_forgeries import EDITS, HULL
from mask_gen.synth.selfblend.portraits import FacePhoto, read_face_index, split_people
from mask_gen.synth.selfblend.rendered_forgeries import RENDERED
from mask_gen.synth.selfblend.scene import in_scene, person_matte

METHODS = {
    "self_blend": "SelfBlend",
    "donor_poisson": "DonorSwap",
    "recolour": "Recolour",
    "tone_warp": "ToneWarp",
    "rendered_swap": "RenderedSwap",
    "mouth_rerender": "MouthRerender",
}
_EDITS = {**EDITS, **RENDERED}
FORGERIES = tuple(METHODS)


def check_shares(donor_share: float, poisson_share: float, rendered_share: float = 0.0) -> None:
    """Refuse shares of the self-blends made otherwise that are negative or add up to more than 1."""
    shares = (donor_share, poisson_share, rendered_share)
    if min(shares) < 0 or sum(shares) > 1:
        raise ConfigError(
            "donor_share, poisson_share and rendered_share must be >= 0 with a sum <= 1, got "
            + ", ".join(str(s) for s in shares)
        )


class SelfBlendSampler:
    """Items 2i (the real face of photo i) and 2i + 1 (a self-blend of it, or another of `FORGERIES`),
    as RGB uint8 crops at the record's input size with their soft blend masks."""

    def __init__(
        self,
        photos: list[FacePhoto],
        record: Preprocessing,
        degrade: DegradeConfig,
        blend: SelfBlendConfig = SelfBlendConfig(),
        fixed_seed: int | None = None,
        forgery: str = "self_blend",
        donor_share: float = 0.0,
        poisson_share: float = 0.0,
        rendered_share: float = 0.0,
    ) -> None:
        """`fixed_seed` makes item k the same on every pass (validation); None draws afresh.
        `donor_share` of the self-blends are made from another person's face instead
        (`mask_gen.synth.selfblend.blend.donor_blend`), its donor as grey or as colourful as the photo;
        `poisson_share` of them are cloned in the gradient domain (`poisson_self_blend`);
        `rendered_share` of them are made by one of the rendered edits instead, half each (`RENDERED`:
        another person's face drawn at low resolution as FaceSwap renders, or the mouth re-rendered as
        NeuralTextures does), their donors as grey or as colourful as the photo."""
        if forgery not in FORGERIES:
            raise ConfigError(f"unknown forgery {forgery!r}; choose from {', '.join(FORGERIES)}")
        check_shares(donor_share, poisson_share, rendered_share)
        if (forgery == "donor_poisson" or donor_share > 0 or rendered_share > 0) and len(photos) < 2:
            raise ConfigError(f"donor faces need at least 2 photos, got {len(photos)}")
        self.photos, self.record, self.degrade, self.blend = photos, record, degrade, blend
        self.fixed_seed, self.forgery = fixed_seed, forgery
        self.donor_share, self.poisson_share = donor_share, poisson_share
        self.rendered_share = rendered_share
        self.transform = build_degrade(degrade)
        self._cache: dict[int, np.ndarray] = {}
        self._mattes: dict[int, np.ndarray] = {}
        self._grey: dict[int, bool] = {}

    def __len__(self) -> int:
        return 2 * len(self.photos)

    def _photo(self, number: int) -> np.ndarray:
        if number not in self._cache:  # small JPEGs: 2,900 decoded photos take about 0.5 GB
            self._cache[number] = read_image(self.photos[number].path)
        return self._cache[number]

    def _other(self, number: int, rng: np.random.Generator) -> int:
        """Another photo than `number`, drawn uniformly (itself when it is the only one)."""
        return (number + 1 + int(rng.integers(max(1, len(self.photos) - 1)))) % len(self.photos)

    def _is_grey(self, number: int) -> bool:
        if number not in self._grey:
            self._grey[number] = is_grey(self._photo(number))
        return self._grey[number]

    def _donor(self, number: int, rng: np.random.Generator) -> int:
        """Another photo, as grey or as colourful as photo `number` when one of 8 draws is (a grey donor
        in a colour photo would be a giveaway no real swap has)."""
        other = self._other(number, rng)
        for _ in range(7):
            if self._is_grey(other) == self._is_grey(number):
                break
            other = self._other(number, rng)
        return other

    def _matte(self, number: int) -> np.ndarray:
        """The person matte of photo `number` (GrabCut, about 75 ms; kept, as the photo is)."""
        if number not in self._mattes:
            photo = self.photos[number]
            self._mattes[number] = person_matte(self._photo(number), photo.box, photo.landmark_array())
        return self._mattes[number]

    def _scene(self, number: int, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Photo `number` (real or forged: the same matte) before a defocused or textured background."""
        x0, _, x1, _ = self.photos[number].box
        return in_scene(image, self._matte(number), x1 - x0, self._photo(self._other(number, rng)), rng)

    def _forge(
        self, number: int, image: np.ndarray, points: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """(fake, soft mask) of photo `number` (as `image`, its landmarks `points`) by the sampler's
        forgery; donors are other photos."""
        if self.forgery == "self_blend":
            if self.donor_share or self.poisson_share or self.rendered_share:  # no draw when all are off
                draw = rng.random()
                if draw < self.donor_share:
                    other = self._donor(number, rng)
                    donor = self.photos[other]
                    return donor_blend(
                        image, points, self._photo(other), donor.landmark_array(), rng, self.blend
                    )
                if draw < self.donor_share + self.poisson_share:
                    return poisson_self_blend(image, points, rng, self.blend)
                if draw < self.donor_share + self.poisson_share + self.rendered_share:
                    edit = RENDERED[sorted(RENDERED)[int(rng.integers(len(RENDERED)))]]
                    alpha = blend_alpha(points, image.shape, HULL, rng)
                    return edit(image, alpha, points, self.photos[self._donor(number, rng)], rng)
            return self_blend(image, points, rng, self.blend)
        donor = self.photos[self._other(number, rng)]
        alpha = blend_alpha(points, image.shape, HULL, rng)
        return _EDITS[self.forgery](image, alpha, points, donor, rng)

    def sample(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(RGB uint8 crop at the input size, soft mask float32) of item `index`, before normalising."""
        seed = None if self.fixed_seed is None else (self.fixed_seed, index)
        rng = np.random.default_rng(seed)
        photo = self.photos[index // 2]
        image, box, points = self._photo(index // 2), photo.box, photo.landmark_array()
        if self.degrade.video_face and rng.random() < self.degrade.video_face:  # no draw at all when off
            image, box, points = video_face(image, box, points, rng.uniform(*VIDEO_FACE_WIDTHS))
        alpha = np.zeros(image.shape[:2], np.float32)
        if index % 2:
            image, alpha = self._forge(index // 2, image, points, rng)
        if self.degrade.scene and rng.random() < self.degrade.scene:  # no draw at all when off
            image = self._scene(index // 2, image, rng)
        if self.degrade.far_face and rng.random() < self.degrade.far_face:
            image, alpha, box = far_face(image, alpha, box, rng.uniform(*FAR_FACE_WIDTHS))
        jitter = self.degrade.crop_jitter
        x0, y0, x1, y1 = box
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


def write_self_blend_dataset(
    face_dir: str | Path,
    out: str | Path,
    record: Preprocessing,
    splits: tuple[str, ...] = ("val",),
    draws: int = 1,
    val_fraction: float = 0.1,
    degrade: DegradeConfig = DegradeConfig(),
    blend: SelfBlendConfig = SelfBlendConfig(),
    first_seed: int = 0,
    forgery: str = "self_blend",
) -> Path:
    """Write `draws` real/fake pairs per photo of each split (seeds first_seed, first_seed + 1, ...) to OUT
    in the mask-gen format, with OUT/dataset.json; the manifest's path. `forgery` makes the fakes (one of
    `FORGERIES`). Splits are by person, as in training; a person's crops share a video id, so video metrics
    group by person."""
    if draws < 1:
        raise ConfigError(f"draws must be >= 1 (real/fake pairs per photo), got {draws}")
    out = Path(out)
    people = split_people(read_face_index(face_dir), val_fraction)
    rows = []
    for split in splits:
        if split not in people:
            raise ConfigError(f"self-blend splits are train and val, got {split!r}")
        if not people[split]:
            raise ConfigError(f"the {split} split of {face_dir} is empty (val_fraction {val_fraction})")
        for draw in range(first_seed, first_seed + draws):
            dataset = SelfBlendSampler(people[split], record, degrade, blend, draw, forgery)
            for index in range(len(dataset)):
                image, alpha = dataset.sample(index)
                mask = alpha > blend.mask_cut
                photo = dataset.photos[index // 2]
                label = index % 2
                sample = f"{split}-{draw}-{photo.path.stem}-{'fake' if label else 'real'}"
                write_png(out / "images" / f"{sample}.png", image)
                write_png(out / "masks" / f"{sample}.png", mask)
                row = dict.fromkeys(MANIFEST_COLUMNS, "")
                row.update(
                    id=sample,
                    split=split,
                    label=label,
                    dataset="self_blend",
                    method=METHODS[forgery] if label else "real",
                    video_id=hashlib.sha1(photo.person.encode()).hexdigest()[:12],
                    frame_index=draw,
                    image=f"images/{sample}.png",
                    mask=f"masks/{sample}.png",
                    box=f"0 0 {image.shape[1]} {image.shape[0]}",
                    mask_area=int(mask.sum()),
                    sha256=hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest(),
                    status="ok",
                    source=str(photo.path),
                )
                rows.append(row)
    write_manifest(out, rows)
    source = {
        "face_dir": str(face_dir),
        "draws": draws,
        "first_seed": first_seed,
        "forgery": forgery,
        "degrade": asdict(degrade),
    }
    write_dataset_json(out, record, source=source)
    return out / "manifest.csv"
