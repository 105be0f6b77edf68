"""Real faces in front of real scenes: a defocused or textured background behind an untouched face.

The training portraits stand before plain studio backdrops. Real footage rarely does: the subject is in
focus and the room behind is not, or is textured. `person_matte` finds the person (GrabCut, forced to keep
a generous face hull, where every blend lies), `in_scene` defocuses the background or puts another photo's
texture there, and the `scenes` preset does so to both classes, so that a sharpness step at the person's
outline carries no label while the blend's seam inside the face does. It was built on a first probe whose
cruder matte cut through the face (68 % of real held-out crops flagged with a defocused backdrop); with
this matte, run 4 flags 4.9 % against 3.9 % as photographed (`benchmarks/scene_false_alarms.py`, which
uses these functions), so the backdrop is not what makes real faces look blended (docs/training_history.md).
"""

from __future__ import annotations

import contextlib

import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.faces.tracker import Box
from mask_gen.synth.selfblend.blend import HULL_SHAPES, face_axes

# GrabCut runs on the region around the face at this side at most (about 75 ms a photo on one core)
_MATTE_SIDE = 128


def _face_core(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A bool mask of the largest face hull a blend may use (forehead to chin), dilated: always person."""
    eyes, down, across, length, width = face_axes(points)
    centre, half_w, half_h = HULL_SHAPES["face"]
    middle = eyes + down * length * centre
    angles = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    # self_blend.face_hull's "face" hull at its largest draw (1.15x) plus a margin for its deformation
    outline = (
        middle
        + np.outer(np.cos(angles) * 1.3 * half_w * width, across)
        + np.outer(np.sin(angles) * 1.3 * half_h * length, down)
    )
    core = np.zeros(shape, np.uint8)
    cv2.fillPoly(core, [np.round(outline).astype(np.int32)], 1)
    return core.astype(bool)


def person_matte(rgb: np.ndarray, box: Box, landmarks: np.ndarray) -> np.ndarray:
    """How much each pixel of `rgb` belongs to the person whose face is `box` (float32 HxW in [0, 1]).

    GrabCut on the region of 2.4x the box around the face, shrunk to at most 128 px: the region's top
    and upper side borders start as background, the face hull of `landmarks` (enlarged to cover any
    blend) as certain person, a head-and-shoulders oval as probable person. Pixels outside the region
    are background; the face hull is always 1. The edge is feathered by about 1 % of the face. The same
    photo gives the same matte on every call (OpenCV's generator is seeded first).
    """
    height, width = rgb.shape[:2]
    x0, y0, x1, y1 = box
    face = max(x1 - x0, y1 - y0, 1)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = 1.2 * face
    rx0, ry0 = max(0, int(cx - half)), max(0, int(cy - half))
    rx1, ry1 = min(width, int(cx + half)), min(height, int(cy + half + 0.4 * face))
    if rx1 - rx0 < 8 or ry1 - ry0 < 8:
        raise ConfigError(f"face box {box} leaves no region for a matte in a {width}x{height} image")
    region = rgb[ry0:ry1, rx0:rx1]
    scale = min(1.0, _MATTE_SIDE / max(region.shape[:2]))
    size = (max(8, round(region.shape[1] * scale)), max(8, round(region.shape[0] * scale)))
    small = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    points = (np.asarray(landmarks, np.float64).reshape(5, 2) - (rx0, ry0)) * (sw / region.shape[1])
    core = _face_core(points, (sh, sw))
    seed = np.full((sh, sw), cv2.GC_PR_BGD, np.uint8)
    fcx, fcy, fs = (cx - rx0) * sw / region.shape[1], (cy - ry0) * sh / region.shape[0], face * scale
    cv2.ellipse(
        seed,
        (round(fcx), round(fcy + 0.15 * fs)),
        (round(0.75 * fs), round(1.1 * fs)),
        0,
        0,
        360,
        int(cv2.GC_PR_FGD),
        -1,
    )
    seed[round(fcy + 0.8 * fs) :, max(0, round(fcx - 0.7 * fs)) : round(fcx + 0.7 * fs)] = cv2.GC_PR_FGD
    border = max(2, sh // 40)
    side_end = round(fcy + 0.3 * fs)
    seed[:border] = cv2.GC_BGD
    seed[:side_end, :border] = cv2.GC_BGD
    seed[:side_end, -border:] = cv2.GC_BGD
    seed[core] = cv2.GC_FGD
    background, foreground = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.setRNGSeed(0)  # GrabCut's k-means starts from OpenCV's global generator: the same matte every time
    with contextlib.suppress(cv2.error):  # a flat region has no colour model to fit: keep the seeds
        cv2.grabCut(small, seed, None, background, foreground, 3, cv2.GC_INIT_WITH_MASK)
    person = ((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD)).astype(np.float32)
    person[core] = 1.0
    matte = np.zeros((height, width), np.float32)
    matte[ry0:ry1, rx0:rx1] = cv2.resize(person, region.shape[1::-1], interpolation=cv2.INTER_LINEAR)
    feather = max(0.5, 0.01 * face)
    matte = cv2.GaussianBlur(matte, (0, 0), feather)
    matte[_face_core(landmarks, (height, width))] = 1.0  # at full size: every blend pixel
    return np.clip(matte, 0.0, 1.0)


def composite(rgb: np.ndarray, matte: np.ndarray, background: np.ndarray) -> np.ndarray:
    """`rgb` where the matte is 1, `background` (same shape) where it is 0, mixed in between."""
    weight = matte[..., None]
    mixed = rgb.astype(np.float32) * weight + background.astype(np.float32) * (1 - weight)
    return np.clip(np.round(mixed), 0, 255).astype(np.uint8)


def defocused(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """`rgb` out of focus: a Gaussian blur of `sigma` pixels."""
    return cv2.GaussianBlur(rgb, (0, 0), max(float(sigma), 0.1))


def scene_texture(other: np.ndarray, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """A background the size of `shape` from a random region (a quarter to a half of its height) of
    another photo, zoomed: suits, flags, hair and furniture instead of a plain backdrop."""
    oh, ow = other.shape[:2]
    side = int(rng.integers(max(2, oh // 4), max(3, min(oh, ow) // 2 + 1)))
    y = int(rng.integers(0, max(1, oh - side)))
    x = int(rng.integers(0, max(1, ow - side)))
    patch = other[y : y + side, x : x + side]
    return cv2.resize(patch, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


def in_scene(
    rgb: np.ndarray,
    matte: np.ndarray,
    face_width: float,
    other: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """`rgb` with its background changed behind the person of `matte`: defocused (p 0.6, blur of 1-4 %
    of the face's width) or another photo's texture (p 0.4, itself defocused half the time)."""
    sigma = face_width * rng.uniform(0.01, 0.04)
    if rng.random() < 0.6:
        background = defocused(rgb, sigma)
    else:
        background = scene_texture(other, rgb.shape, rng)
        if rng.random() < 0.5:
            background = defocused(background, sigma)
    return composite(rgb, matte, background)


def woven_interlaced(rgb: np.ndarray, apart: float) -> np.ndarray:
    """A woven interlaced frame of a camera panning: its even lines from one field and its odd lines from
    the next, `apart` pixels further on (the combing a 1080i camcorder or broadcast frame shows on motion,
    analysed as it is stored)."""
    height, width = rgb.shape[:2]

    def shifted(dx: float) -> np.ndarray:
        move = np.float32([[1, 0, dx], [0, 1, 0]])
        return cv2.warpAffine(
            rgb, move, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )

    woven = shifted(-apart / 2)
    woven[1::2] = shifted(apart / 2)[1::2]
    return woven


def occluded(
    rgb: np.ndarray, filler: np.ndarray, centre: tuple[float, float], axes: tuple[float, float], angle: float
) -> tuple[np.ndarray, np.ndarray]:
    """`rgb` with an object in front of it: an ellipse (`centre` x, y; semi-axes `axes`; rotated `angle`
    degrees) filled with `filler` (resized to the ellipse's bounding square), its outline hard but
    anti-aliased, as a hand, a microphone or a cup held before a face. Returns the image and the float
    [0, 1] cover of the object (1 where it hides the face).

    Real footage is full of such edges crossing a face; the training portraits have none.
    """
    height, width = rgb.shape[:2]
    scale = 4  # drawn at 4x and shrunk: an anti-aliased outline, one pixel of softness
    cover = np.zeros((height * scale, width * scale), np.uint8)
    cv2.ellipse(
        cover,
        (round(centre[0] * scale), round(centre[1] * scale)),
        (max(1, round(axes[0] * scale)), max(1, round(axes[1] * scale))),
        angle,
        0,
        360,
        255,
        -1,
        cv2.LINE_AA,
    )
    alpha = cv2.resize(cover, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    side = 2 * max(axes)
    x0, y0 = round(centre[0] - side / 2), round(centre[1] - side / 2)
    patch = cv2.resize(filler, (max(1, round(side)),) * 2, interpolation=cv2.INTER_LINEAR)
    layer = rgb.copy()
    ys, xs = (
        slice(max(0, y0), min(height, y0 + patch.shape[0])),
        slice(max(0, x0), min(width, x0 + patch.shape[1])),
    )
    layer[ys, xs] = patch[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0]
    blended = rgb.astype(np.float32) * (1 - alpha[..., None]) + layer.astype(np.float32) * alpha[..., None]
    return np.clip(np.round(blended), 0, 255).astype(np.uint8), alpha
