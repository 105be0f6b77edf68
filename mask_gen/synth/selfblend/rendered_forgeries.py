"""Held-out forgeries that imitate the two FaceForensics++ methods self-blends resemble least.

Self-blending makes a face from the face itself, so its seams are the only trace; FaceSwap and
NeuralTextures leave another: the changed region is *rendered*, not photographed. FaceSwap fits a 3D
face model to sparse landmarks and draws the source person's low-resolution texture onto it, colour
corrected and blended into the frame; NeuralTextures re-renders only the mouth region, through a
network whose output is smoother than the camera's. The edits below make such regions from a portrait
(never from FF++ frames): `rendered_swap` draws another person's face aligned on the 5 landmarks at a
fraction of its resolution, its colours moved to the target's within the hull; `mouth_rerender` opens
or closes the mouth (a vertical stretch about it) and draws the region at low resolution and smoothed.
They share the portrait edits' signature (`mask_gen.synth.selfblend.portrait_forgeries.Edit`) and are for
validation only: no training recipe makes them.
"""

from __future__ import annotations

import cv2
import numpy as np

from localize.media.reader import read_image
from mask_gen.synth.manipulations import match_colours
from mask_gen.synth.selfblend.blend import aligned_donor, face_axes, mix
from mask_gen.synth.selfblend.portrait_forgeries import Edit
from mask_gen.synth.selfblend.portraits import FacePhoto

RENDER_SCALES = (0.3, 0.5)  # the rendered region's resolution, a fraction of the frame's
MOUTH_SCALES = (0.3, 0.55)
MOUTH_STRETCH = (0.85, 1.2)  # the mouth region's vertical scale about its centre


def rendered(image: np.ndarray, scale: float) -> np.ndarray:
    """`image` drawn at `scale` of its resolution and shown at full size (area down, linear up)."""
    height, width = image.shape[:2]
    small = (max(1, round(width * scale)), max(1, round(height * scale)))
    low = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
    return cv2.resize(low, (width, height), interpolation=cv2.INTER_LINEAR)


def _rendered_swap(
    real: np.ndarray, alpha: np.ndarray, points: np.ndarray, donor: FacePhoto, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Another person's face aligned on the landmarks, drawn at 30-50 % resolution, colour-matched
    inside the hull and alpha-blended (no gradient-domain fill: the seam is the blend's)."""
    region = alpha >= 0.5
    aligned = aligned_donor(read_image(donor.path), donor.landmark_array(), points, real.shape)
    if aligned is None or not region.any():
        return real.copy(), np.zeros(real.shape[:2], np.float32)
    source = match_colours(rendered(aligned, rng.uniform(*RENDER_SCALES)), real, region)
    return mix(real, source, alpha), alpha


def mouth_alpha(points: np.ndarray, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """A soft region around the mouth, from under the nose to the chin and a little past the corners."""
    _, down, across, length, width = face_axes(points)
    corners = points[3:5]
    centre = corners.mean(0) + down * length * rng.uniform(0.05, 0.2)
    half_w = max(float(np.hypot(*(corners[1] - corners[0]))), 0.5 * width) * rng.uniform(0.7, 0.9)
    half_h = length * rng.uniform(0.45, 0.6)
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    outline = centre + np.outer(np.cos(angles) * half_w, across) + np.outer(np.sin(angles) * half_h, down)
    hull = np.zeros(shape[:2], np.float32)
    cv2.fillPoly(hull, [np.round(outline).astype(np.int32)], 1.0)
    size = max(3, int(length * rng.uniform(0.15, 0.3)) // 2 * 2 + 1)
    return np.clip(cv2.GaussianBlur(hull, (size, size), 0), 0.0, 1.0)


def _mouth_rerender(
    real: np.ndarray, alpha: np.ndarray, points: np.ndarray, donor: FacePhoto, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The mouth opened or closed (stretched vertically about its centre), drawn at 30-55 % resolution,
    smoothed edge-preservingly, blended back in a soft mouth region (the given face hull is not used)."""
    region = mouth_alpha(points, real.shape, rng)
    centre = points[3:5].mean(0)
    stretch = rng.uniform(*MOUTH_STRETCH)
    matrix = np.array([[1.0, 0.0, 0.0], [0.0, stretch, centre[1] * (1 - stretch)]], np.float32)
    moved = cv2.warpAffine(real, matrix, real.shape[1::-1], borderMode=cv2.BORDER_REFLECT)
    source = cv2.bilateralFilter(rendered(moved, rng.uniform(*MOUTH_SCALES)), 5, 20, 5)
    return mix(real, source, region), region


RENDERED: dict[str, Edit] = {"rendered_swap": _rendered_swap, "mouth_rerender": _mouth_rerender}
