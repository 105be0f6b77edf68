"""The video-like degradations of self-blend crops: their probabilities (`DegradeConfig`), the named
recipes (`DEGRADE_PRESETS`) and the albumentations pipeline that applies them to real and fake alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import albumentations as A
import cv2

from localize.common.errors import ConfigError
from mask_gen.synth.codecs.h264 import H264Compression
from mask_gen.synth.codecs.video_compression import VideoCompression
from mask_gen.synth.selfblend.looks import Defocus, Denoise, Oversharpen


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
    scene: float = (
        0.0  # the backdrop defocused or textured behind the person (mask_gen.synth.selfblend.scene)
    )
    far_face: float = 0.0  # the whole photo shrunk so the face is 28-70 px wide, cropped as inference does
    defocus: float = 0.0  # the whole crop soft: Gaussian blur of 0.8-3 % of its width (DEFOCUS_SIGMAS)
    hard_codec: float = 0.0  # share of the compressed crops coded harder than the ranges above (HARD_CODEC)
    oversharpen: float = 0.0  # the whole crop sharpened as cameras and TVs do (Oversharpen, OVERSHARPEN)
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
    `footage_denoised` (footage_hard, and 30 % of the crops
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
