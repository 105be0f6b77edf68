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
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import albumentations as A
import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.faces.tracker import Box, expand_box
from localize.inference.preprocess import Preprocessing, write_dataset_json
from localize.media.images import read_image, write_png
from mask_gen.manifest import MANIFEST_COLUMNS, write_manifest
from mask_gen.synth.h264 import H264Compression
from mask_gen.synth.portrait_forgeries import EDITS, HULL
from mask_gen.synth.portraits import FacePhoto, read_face_index, split_people
from mask_gen.synth.rendered_forgeries import RENDERED
from mask_gen.synth.scene import defocused, in_scene, person_matte
from mask_gen.synth.self_blend import (
    SelfBlendConfig,
    blend_alpha,
    donor_blend,
    is_grey,
    poisson_self_blend,
    self_blend,
)
from mask_gen.synth.video_compression import VideoCompression


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
    # Footage (all 0 in the still-photo recipe that trained the first defaults):
    footage_compress: float = 0.0  # share of compressed crops coded as footage (VideoCompression)
    motion_blur: float = 0.0
    sharpen: float = 0.0
    light: float = 0.0  # a lighting gradient, gamma or a colour temperature
    tilt: float = 0.0  # roll up to 12 degrees, scale 0.9-1.1 (the mask follows)
    scene: float = 0.0  # the backdrop defocused or textured behind the person (mask_gen.synth.scene)
    far_face: float = 0.0  # the whole photo shrunk so the face is 28-70 px wide, cropped as inference does
    defocus: float = 0.0  # the whole crop soft: Gaussian blur of 0.8-3 % of its width (DEFOCUS_SIGMAS)
    hard_codec: float = 0.0  # share of the compressed crops coded harder than the ranges above (HARD_CODEC)
    oversharpen: float = 0.0  # the whole crop sharpened as cameras and TVs do (Oversharpen, OVERSHARPEN)
    edge_face: float = 0.0  # the photo cut at one side through or beside the face (edge_face, EDGE_INSIDE)
    denoise: float = 0.0  # the whole crop smoothed edge-preservingly as webcams denoise (Denoise, DENOISE)
    # the photo shrunk before the forgery so its face box is 100-400 px wide (VIDEO_FACE_WIDTHS), the size
    # of faces in 480p-1080p footage, so the blend is drawn at the resolution a video's swap is
    video_face: float = 0.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not 0 <= value <= 1:
                raise ConfigError(f"degradation {name} must be in [0, 1], got {value}")
        if self.video_face and self.scene:
            raise ConfigError(
                "video_face and scene cannot both be on (the scene's matte is the photo's size)"
            )


_FOOTAGE = DegradeConfig(
    footage_compress=0.8, motion_blur=0.15, sharpen=0.15, light=0.3, tilt=0.3, small_face=0.3
)
DEGRADE_PRESETS: dict[str, DegradeConfig] = {
    "stills": DegradeConfig(),
    "footage": _FOOTAGE,
    "scenes": replace(_FOOTAGE, scene=0.5),
    "footage_far": replace(_FOOTAGE, far_face=0.3),
    "footage_soft": replace(_FOOTAGE, far_face=0.3, defocus=0.25),
    "footage_hard": replace(_FOOTAGE, far_face=0.3, defocus=0.25, hard_codec=0.3),
    "footage_sharp": replace(_FOOTAGE, far_face=0.3, defocus=0.25, hard_codec=0.3, oversharpen=0.25),
    "footage_edge": replace(_FOOTAGE, far_face=0.3, defocus=0.25, hard_codec=0.3, edge_face=0.3),
    "footage_denoised": replace(_FOOTAGE, far_face=0.3, defocus=0.25, hard_codec=0.3, denoise=0.3),
}
# A starved stream: JPEG quality and H.264 CRF beyond the other recipes' 30-95 and 18-40 (as footage)
HARD_CODEC = {"jpeg_range": (10, 30), "crf_range": (40, 48)}


def degrade_preset(name: str) -> DegradeConfig:
    """The named degradation recipe: `stills` (studio photos compressed as stills, the first defaults'
    recipe), `footage` (codecs at the face's own size on predicted frames, motion blur, lighting) or
    `scenes` (footage, and half the photos with their backdrop defocused or textured behind the person),
    `footage_far` (footage, and 30 % of the faces far from the camera: 28-70 px wide in the frame),
    `footage_soft` (footage_far, and a quarter of the crops out of focus as a whole: `Defocus`) or
    `footage_hard` (footage_soft, and 30 % of the compressed crops coded as a starved stream does: JPEG
    10-30 or H.264 CRF 40-48, `HARD_CODEC`, at the face's own size as footage) or `footage_sharp`
    (footage_hard, and a quarter of the crops sharpened as a whole as cameras and TVs do: `Oversharpen`) or
    `footage_edge` (footage_hard, and 30 % of the photos cut at one side through or beside the face, as a
    person at the edge of a shot: `edge_face`) or `footage_denoised` (footage_hard, and 30 % of the crops
    smoothed edge-preservingly as a webcam's noise reduction leaves skin: `Denoise`)."""
    if name not in DEGRADE_PRESETS:
        raise ConfigError(f"unknown degradation preset {name!r}; known: {', '.join(DEGRADE_PRESETS)}")
    return DEGRADE_PRESETS[name]


def build_degrade(config: DegradeConfig) -> A.Compose:
    """The albumentations pipeline for `config` (the mask follows the flip and the tilt)."""
    codecs = [
        A.ImageCompression(quality_range=(30, 95), p=1.0),
        H264Compression(crf_range=(18, 40), p=1.0),
    ]
    if config.footage_compress:  # the still recipe's own draws stay untouched when footage is off
        share = config.footage_compress  # OneOf weighs its choices by their p
        codecs = [VideoCompression(p=share), A.OneOf(codecs, p=1 - share)]
    if config.hard_codec:  # likewise: the other recipes' draws stay untouched when it is off
        hard = config.hard_codec
        codecs = [A.OneOf(codecs, p=1 - hard), VideoCompression(**HARD_CODEC, p=hard)]
    compress = A.OneOf(codecs, p=config.compress)
    steps = [
        A.HorizontalFlip(p=config.hflip),
        A.Affine(rotate=(-12, 12), scale=(0.9, 1.1), border_mode=cv2.BORDER_REFLECT_101, p=config.tilt),
        A.Downscale(
            scale_range=(0.3, 0.9),
            interpolation_pair={"downscale": cv2.INTER_AREA, "upscale": cv2.INTER_LINEAR},
            p=config.small_face,
        ),
        A.GaussianBlur(blur_limit=(3, 5), p=config.blur),
        A.MotionBlur(blur_limit=(3, 7), p=config.motion_blur),
        Defocus(p=config.defocus),
        Denoise(p=config.denoise),
        A.Sharpen(alpha=(0.1, 0.4), p=config.sharpen),
        Oversharpen(p=config.oversharpen),
        A.OneOf(
            [
                A.Illumination(intensity_range=(0.05, 0.2), p=1.0),
                A.RandomGamma(gamma_limit=(70, 140), p=1.0),
                A.PlanckianJitter(p=1.0),
            ],
            p=config.light,
        ),
        A.OneOf(
            [
                A.RGBShift(r_shift_limit=15, g_shift_limit=15, b_shift_limit=15, p=1.0),
                A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=1.0),
            ],
            p=config.colour,
        ),
        A.ToGray(p=config.grey),
        A.GaussNoise(std_range=(0.01, 0.04), p=config.noise),
        compress,
    ]
    # Steps that never apply are left out: they would still draw numbers, and the recipes that trained
    # earlier models must repeat crop for crop.
    return A.Compose([step for step in steps if step.p > 0])


DEFOCUS_SIGMAS = (0.008, 0.03)  # Gaussian sigma as a share of the crop's width


class Defocus(A.ImageOnlyTransform):
    """The whole crop out of focus: a Gaussian blur whose sigma is a share of the crop's width drawn
    from `sigma_range` (at 160 px, 1.3-4.8 px), as a soft webcam, a defocused lens or a heavily denoised
    stream leave a face. The stills/footage recipes' `GaussianBlur` (3-5 px kernels, sigma about 1 px)
    stays below that. Applied to real and fake alike, before the codec, as a camera would.

    Targets:
        image
    """

    def __init__(self, sigma_range: tuple[float, float] = DEFOCUS_SIGMAS, p: float = 0.5) -> None:
        super().__init__(p=p)
        low, high = sigma_range
        if not 0 < low <= high < 0.5:
            raise ConfigError(f"sigma_range must satisfy 0 < low <= high < 0.5, got {sigma_range}")
        self.sigma_range = (float(low), float(high))

    def get_params(self) -> dict:
        return {"share": self.py_random.uniform(*self.sigma_range)}

    def apply(self, img: np.ndarray, share: float = 0.02, **params) -> np.ndarray:
        return defocused(img, share * img.shape[1])

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("sigma_range",)


# Edge-preserving smoothing: a bilateral filter (colour sigma; space sigma as a share of the crop's width)
# or OpenCV's non-local means (filter strength h), half each
DENOISE = {"colour_range": (20.0, 80.0), "space_range": (0.015, 0.05), "h_range": (5.0, 20.0)}


class Denoise(A.ImageOnlyTransform):
    """The whole crop smoothed edge-preservingly, as a webcam's or a phone's noise reduction (or a beauty
    filter) leaves a face: skin flat, eyes, hair and outline still sharp. Half the time a bilateral filter
    (colour sigma from `colour_range`, space sigma a share of the crop's width from `space_range`: 2.4-8 px
    at 160 px), half the time non-local means (`h_range`; 7 px patches, 21 px search). Defocus blurs every
    edge alike and leaves this untaught: held-out real faces smoothed so are flagged 22-57 % of the time
    by run 18 (benchmarks/scene_false_alarms.py, "denoised"). Applied to real and fake alike, before the
    codec, as a camera would.

    Targets:
        image
    """

    def __init__(
        self,
        colour_range: tuple[float, float] = DENOISE["colour_range"],
        space_range: tuple[float, float] = DENOISE["space_range"],
        h_range: tuple[float, float] = DENOISE["h_range"],
        p: float = 0.5,
    ) -> None:
        super().__init__(p=p)
        ranges = (colour_range, space_range, h_range)
        if not all(0 < low <= high for low, high in ranges) or space_range[1] >= 0.5:
            raise ConfigError(f"bad denoise ranges: colour {colour_range}, space {space_range}, h {h_range}")
        self.colour_range, self.space_range, self.h_range = (tuple(map(float, r)) for r in ranges)

    def get_params(self) -> dict:
        if self.py_random.random() < 0.5:
            return {
                "method": "bilateral",
                "colour": self.py_random.uniform(*self.colour_range),
                "share": self.py_random.uniform(*self.space_range),
            }
        return {"method": "nlmeans", "h": self.py_random.uniform(*self.h_range)}

    def apply(
        self,
        img: np.ndarray,
        method: str = "bilateral",
        colour: float = 40.0,
        share: float = 0.03,
        h: float = 10.0,
        **params,
    ) -> np.ndarray:
        if method == "nlmeans":
            return nl_means(img, h)
        return bilateral(img, colour, share * img.shape[1])

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("colour_range", "space_range", "h_range")


def bilateral(rgb: np.ndarray, sigma_colour: float, sigma_space: float) -> np.ndarray:
    """OpenCV's bilateral filter (colour sigma in grey levels, space sigma in pixels): flat skin, sharp edges."""
    return cv2.bilateralFilter(rgb, -1, sigma_colour, sigma_space)


def nl_means(rgb: np.ndarray, h: float) -> np.ndarray:
    """OpenCV's non-local means of strength `h` (luma and colour alike; 7 px patches, 21 px search)."""
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb), None, h, h, 7, 21)


OVERSHARPEN = {"amount_range": (0.3, 2.0), "sigma_range": (0.008, 0.02)}  # sigma as a share of the width


class Oversharpen(A.ImageOnlyTransform):
    """The whole crop sharpened as a camera, a phone or a TV sharpens footage: an unsharp mask, crop +
    amount x (crop - blur), amount from `amount_range` and the blur's sigma a share of the crop's width
    from `sigma_range` (at 160 px, 1.3-3.2 px): halos on every edge. The footage recipes' `Sharpen`
    (alpha 0.1-0.4 on a 3x3 kernel) acts mostly finer than that; held-out real faces sharpened with halos
    (amount 1.5) are flagged 81 % of the time by run 14 (benchmarks/scene_false_alarms.py). Applied to real
    and fake alike, before the codec, as a camera would.

    Targets:
        image
    """

    def __init__(
        self,
        amount_range: tuple[float, float] = OVERSHARPEN["amount_range"],
        sigma_range: tuple[float, float] = OVERSHARPEN["sigma_range"],
        p: float = 0.5,
    ) -> None:
        super().__init__(p=p)
        if not 0 < amount_range[0] <= amount_range[1] or not 0 < sigma_range[0] <= sigma_range[1] < 0.5:
            raise ConfigError(f"bad oversharpen ranges: amount {amount_range}, sigma {sigma_range}")
        self.amount_range = (float(amount_range[0]), float(amount_range[1]))
        self.sigma_range = (float(sigma_range[0]), float(sigma_range[1]))

    def get_params(self) -> dict:
        return {
            "amount": self.py_random.uniform(*self.amount_range),
            "share": self.py_random.uniform(*self.sigma_range),
        }

    def apply(self, img: np.ndarray, amount: float = 1.0, share: float = 0.01, **params) -> np.ndarray:
        return unsharp(img, amount, share * img.shape[1])

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("amount_range", "sigma_range")


def unsharp(rgb: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """An unsharp mask: rgb + amount x (rgb - Gaussian blur of `sigma` px), rounded and clipped to uint8."""
    blur = cv2.GaussianBlur(rgb, (0, 0), sigma).astype(np.float32)
    return np.clip(np.round(rgb.astype(np.float32) * (1 + amount) - blur * amount), 0, 255).astype(np.uint8)


EDGE_INSIDE = (0.55, 1.0)  # share of the face box's width (or height) left inside a frame's edge
EDGE_SIDES = ("left", "right", "top", "bottom")


def edge_face(
    image: np.ndarray, alpha: np.ndarray, box: Box, inside: float, side: str
) -> tuple[np.ndarray, np.ndarray, Box]:
    """The photo, its blend mask and its face box cut at `side` so that `inside` of the face box stays in
    the frame (1: the face touching the edge), as a person at the edge of a shot: the crop rule then shifts
    its square into the frame, so the face is off-centre in the crop, and cut below 1. The box is clipped
    to what is left, as the detector reports a face cut by the frame."""
    x0, y0, x1, y1 = box
    height, width = image.shape[:2]
    if side in ("left", "right"):
        depth = int((x1 - x0) * (1 - inside))
        cut = max(0, x0 + depth) if side == "left" else min(width, x1 - depth)
        keep = (slice(None), slice(cut, None)) if side == "left" else (slice(None), slice(None, cut))
        shift = (cut, 0) if side == "left" else (0, 0)
    elif side in ("top", "bottom"):
        depth = int((y1 - y0) * (1 - inside))
        cut = max(0, y0 + depth) if side == "top" else min(height, y1 - depth)
        keep = (slice(cut, None), slice(None)) if side == "top" else (slice(None, cut), slice(None))
        shift = (0, cut) if side == "top" else (0, 0)
    else:
        raise ConfigError(f"side must be one of {', '.join(EDGE_SIDES)}, got {side!r}")
    image, alpha = image[keep], alpha[keep]
    h, w = image.shape[:2]
    dx, dy = shift
    clipped = (max(0, x0 - dx), max(0, y0 - dy), min(w, x1 - dx), min(h, y1 - dy))
    return np.ascontiguousarray(image), np.ascontiguousarray(alpha), clipped


VIDEO_FACE_WIDTHS = (100.0, 400.0)  # face box widths, in frame pixels, of faces in 480p-1080p footage


def video_face(
    image: np.ndarray, box: Box, landmarks: np.ndarray, width: float
) -> tuple[np.ndarray, Box, np.ndarray]:
    """The photo, its face box and landmarks shrunk (INTER_AREA) so that the box is `width` pixels wide,
    as the face of a person filmed at 480p-1080p is; a face already that small is left as it is. Applied
    before the forgery, so the blend is drawn at that resolution, as a video's face swap is.

    Example:
        >>> small, box, marks = video_face(np.zeros((1000, 800, 3), np.uint8), (100, 100, 600, 700),
        ...                                np.full((5, 2), 300.0), 250)
        >>> small.shape, box, marks[0].tolist()
        ((500, 400, 3), (50, 50, 300, 350), [150.0, 150.0])
    """
    scale = width / max(box[2] - box[0], 1)
    if scale >= 1:
        return image, box, landmarks
    height, wide = image.shape[:2]
    size = (max(8, round(wide * scale)), max(8, round(height * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    fx, fy = size[0] / wide, size[1] / height
    moved = (round(box[0] * fx), round(box[1] * fy), round(box[2] * fx), round(box[3] * fy))
    return small, moved, landmarks * np.array([fx, fy])


FAR_FACE_WIDTHS = (28.0, 70.0)  # face box widths, in frame pixels, of faces far from the camera


def far_face(
    image: np.ndarray, alpha: np.ndarray, box: Box, width: float
) -> tuple[np.ndarray, np.ndarray, Box]:
    """The photo, its blend mask and its face box shrunk (INTER_AREA) so that the face box is `width`
    pixels wide, as a face far from a video camera is; the crop rule then enlarges it to the model's
    input as inference does (the portraits' faces, about 73 px, are enlarged 1.7x; a 45 px face 2.7x).
    A face already that small is left as it is."""
    scale = width / max(box[2] - box[0], 1)
    if scale >= 1:
        return image, alpha, box
    height, wide = image.shape[:2]
    size = (max(8, round(wide * scale)), max(8, round(height * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small_alpha = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    fx, fy = size[0] / wide, size[1] / height
    moved = (round(box[0] * fx), round(box[1] * fy), round(box[2] * fx), round(box[3] * fy))
    return small, small_alpha, moved


# each forgery and the manifest's method name for its fakes (all but self_blend are portrait EDITS or,
# for validation that imitates FaceSwap and NeuralTextures, RENDERED edits)
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


def check_shares(donor_share: float, poisson_share: float) -> None:
    """Refuse shares of the self-blends made otherwise that are negative or add up to more than 1."""
    if min(donor_share, poisson_share) < 0 or donor_share + poisson_share > 1:
        raise ConfigError(
            f"donor_share and poisson_share must be >= 0 with a sum <= 1, got {donor_share}, {poisson_share}"
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
    ) -> None:
        """`fixed_seed` makes item k the same on every pass (validation); None draws afresh.
        `donor_share` of the self-blends are made from another person's face instead
        (`mask_gen.synth.self_blend.donor_blend`), its donor as grey or as colourful as the photo;
        `poisson_share` of them are cloned in the gradient domain (`poisson_self_blend`)."""
        if forgery not in FORGERIES:
            raise ConfigError(f"unknown forgery {forgery!r}; choose from {', '.join(FORGERIES)}")
        check_shares(donor_share, poisson_share)
        if (forgery == "donor_poisson" or donor_share > 0) and len(photos) < 2:
            raise ConfigError(f"donor faces need at least 2 photos, got {len(photos)}")
        self.photos, self.record, self.degrade, self.blend = photos, record, degrade, blend
        self.fixed_seed, self.forgery = fixed_seed, forgery
        self.donor_share, self.poisson_share = donor_share, poisson_share
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
            if self.donor_share or self.poisson_share:  # no draw at all when both are off
                draw = rng.random()
                if draw < self.donor_share:
                    other = self._donor(number, rng)
                    donor = self.photos[other]
                    return donor_blend(
                        image, points, self._photo(other), donor.landmark_array(), rng, self.blend
                    )
                if draw < self.donor_share + self.poisson_share:
                    return poisson_self_blend(image, points, rng, self.blend)
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
        if self.degrade.edge_face and rng.random() < self.degrade.edge_face:
            side = EDGE_SIDES[int(rng.integers(len(EDGE_SIDES)))]
            image, alpha, box = edge_face(image, alpha, box, rng.uniform(*EDGE_INSIDE), side)
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
