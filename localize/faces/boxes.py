"""Box geometry in full-frame pixels: (x0, y0, x1, y1) boxes, the square crop rule, containment."""

from __future__ import annotations

import numpy as np

Box = tuple[int, int, int, int]
Landmarks = tuple[tuple[float, float], ...]


def holds(box: Box, point: tuple[float, float]) -> bool:
    """True when the (x, y) point lies inside the box (edges included)."""
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def face_crops(faces: dict[int, Box], frame_shape: tuple[int, ...], margin: float) -> dict[int, Box]:
    """The crop of each tracked face by face number (`margin` added), or {0: the whole frame} when there
    is none: the one rule mask-gen (training crops) and inspection (inference crops) share."""
    if not faces:
        return {0: full_box(frame_shape)}
    return {number: expand_box(face, frame_shape, margin) for number, face in faces.items()}


def expand_box(box: Box, frame_shape: tuple[int, ...], margin: float = 1.3) -> Box:
    """Square box `margin` times the larger side of `box`, same centre, shifted to fit in the frame."""
    height, width = frame_shape[:2]
    x0, y0, x1, y1 = box
    side = min(round(max(x1 - x0, y1 - y0) * margin), width, height)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(np.clip(round(cx - side / 2), 0, width - side))
    top = int(np.clip(round(cy - side / 2), 0, height - side))
    return left, top, left + side, top + side


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    """The part of an image (or mask) inside a box."""
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1]


def full_box(frame_shape: tuple[int, ...]) -> Box:
    """The box covering the whole frame."""
    return 0, 0, frame_shape[1], frame_shape[0]


def box_centre(box: Box) -> tuple[float, float]:
    """The (x, y) centre of a box."""
    x0, y0, x1, y1 = box
    return (x0 + x1) / 2, (y0 + y1) / 2
