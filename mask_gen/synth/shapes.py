"""Random soft blend masks: ellipses, polygons and face parts, feathered at the edge.

A blend mask alpha in [0, 1] says how much of the manipulated source replaces the real pixel; the
ground truth is alpha >= 0.5 (the Face X-ray / SBI construction).
"""

from __future__ import annotations

import cv2
import numpy as np

from localize.faces.tracker import Box

SHAPES = ("ellipse", "polygon", "face_part")


def _region(shape: tuple[int, int], face: Box | None, rng: np.random.Generator) -> tuple[float, float, float]:
    """Centre (x, y) and scale of the manipulated region: on the face when one is known."""
    height, width = shape
    if face is not None:
        x0, y0, x1, y1 = face
        cx = (x0 + x1) / 2 + rng.uniform(-0.1, 0.1) * (x1 - x0)
        cy = (y0 + y1) / 2 + rng.uniform(-0.05, 0.15) * (y1 - y0)
        return cx, cy, max(x1 - x0, y1 - y0) / 2
    side = min(height, width)
    return rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height, rng.uniform(0.15, 0.3) * side


def _ellipse(canvas: np.ndarray, cx: float, cy: float, scale: float, rng: np.random.Generator) -> None:
    axes = (max(4, int(scale * rng.uniform(0.6, 1.0))), max(4, int(scale * rng.uniform(0.7, 1.2))))
    cv2.ellipse(canvas, (int(cx), int(cy)), axes, rng.uniform(-30, 30), 0, 360, 1.0, -1)


def _polygon(canvas: np.ndarray, cx: float, cy: float, scale: float, rng: np.random.Generator) -> None:
    angles = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(5, 10)))
    radii = scale * rng.uniform(0.5, 1.1, angles.size)
    points = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)
    cv2.fillPoly(canvas, [points.round().astype(np.int32)], 1.0)


def _face_part(canvas: np.ndarray, cx: float, cy: float, scale: float, rng: np.random.Generator) -> None:
    """An eyes band or a mouth/chin patch, the regions reenactment methods touch."""
    if rng.random() < 0.5:
        centre, axes = (cx, cy - 0.35 * scale), (0.85 * scale, 0.3 * scale)
    else:
        centre, axes = (cx, cy + 0.45 * scale), (0.5 * scale, 0.35 * scale)
    cv2.ellipse(
        canvas,
        (int(centre[0]), int(centre[1])),
        (max(4, int(axes[0])), max(4, int(axes[1]))),
        0,
        0,
        360,
        1.0,
        -1,
    )


_DRAW = {"ellipse": _ellipse, "polygon": _polygon, "face_part": _face_part}


def random_blend_mask(
    shape: tuple[int, int],
    rng: np.random.Generator,
    face: Box | None = None,
    kind: str | None = None,
) -> np.ndarray:
    """Float32 (H, W) alpha in [0, 1]: a random shape (face-centred if `face`) with a feathered edge."""
    kind = kind or str(rng.choice(SHAPES if face is not None else SHAPES[:2]))
    cx, cy, scale = _region(shape, face, rng)
    canvas = np.zeros(shape, np.float32)
    _DRAW[kind](canvas, cx, cy, scale, rng)
    sigma = max(1.0, scale * rng.uniform(0.03, 0.1))
    return np.clip(cv2.GaussianBlur(canvas, (0, 0), sigma), 0.0, 1.0)
