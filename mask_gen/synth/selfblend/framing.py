"""Where a face sits in its frame before the crop: shrunk to video size (`video_face`), far from the
camera (`far_face`) or cut by the frame's edge (`edge_face`); the blend mask follows."""

from __future__ import annotations

import cv2
import numpy as np

from localize.common.errors import ConfigError
from localize.faces.tracker import Box

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
