"""Where each suspect pixel lies in the source: one 2x3 transform (suspect pixels -> source pixels).

ORB features matched between the frames and a RANSAC fit of a similarity transform (rotation, uniform
scale, shift; OpenCV's estimateAffinePartial2D) find the rescale, crop, letterbox and shift; the suspect
is also tried mirrored, and the fit with more inliers wins, its flip folded into the transform. RANSAC
keeps to what did not change: a swapped face is a minority of the matches. ECC (Evangelidis & Psarakis
2008, cv2.findTransformECC) then refines the fit to a full affine at sub-pixel precision, which the
pixel difference needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MATCH_SIDE = 640  # frames are matched at most this large: ORB and ECC need no more
RATIO = 0.8  # Lowe's ratio test on the two nearest descriptors


@dataclass(frozen=True)
class Alignment:
    """A transform from suspect to source pixels and the evidence for it.

    Args:
        transform: 2x3 float64, (x_source, y_source) = transform @ (x_suspect, y_suspect, 1).
        inliers: feature matches RANSAC kept.
        matches: matches that passed the ratio test.
        mirrored: the suspect is the source's mirror image.
    """

    transform: np.ndarray
    inliers: int
    matches: int
    mirrored: bool


def _small_gray(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """Grey frame shrunk to at most MATCH_SIDE (area averaging) and the factor it was shrunk by."""
    scale = min(1.0, MATCH_SIDE / max(rgb.shape[:2]))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    return gray, scale


def as_3x3(transform: np.ndarray) -> np.ndarray:
    return np.vstack([transform, [0.0, 0.0, 1.0]])


def resize_map(sx: float, sy: float | None = None) -> np.ndarray:
    """3x3 map from a frame's pixel coordinates to those of the frame resized by (sx, sy), pixel centres
    kept (as cv2.resize samples): x' = sx * x + (sx - 1) / 2."""
    sy = sx if sy is None else sy
    return np.array([[sx, 0.0, (sx - 1) / 2], [0.0, sy, (sy - 1) / 2], [0.0, 0.0, 1.0]])


def _scaled(transform: np.ndarray, suspect_scale: float, source_scale: float) -> np.ndarray:
    """The transform between frames resized by those factors, from the one between the frames."""
    return (resize_map(source_scale) @ as_3x3(transform) @ np.linalg.inv(resize_map(suspect_scale)))[:2]


def _flip(width: int) -> np.ndarray:
    """x -> width - 1 - x."""
    return np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def _fit(
    features, suspect_gray: np.ndarray, source_points, source_descriptors
) -> tuple[np.ndarray | None, int, int]:
    points, descriptors = features.detectAndCompute(suspect_gray, None)
    if descriptors is None or source_descriptors is None or len(points) < 8 or len(source_points) < 8:
        return None, 0, 0
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(descriptors, source_descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < 8:
        return None, 0, len(good)
    here = np.float32([points[m.queryIdx].pt for m in good])
    there = np.float32([source_points[m.trainIdx].pt for m in good])
    transform, kept = cv2.estimateAffinePartial2D(here, there, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    if transform is None:
        return None, 0, len(good)
    return transform.astype(np.float64), int(kept.sum()), len(good)


def estimate_alignment(suspect: np.ndarray, source: np.ndarray, features: int = 3000) -> Alignment | None:
    """The similarity transform from suspect to source pixels, the mirror tried too; None when the frames
    share too little to fit one (fewer than 8 ratio-test matches)."""
    detector = cv2.ORB_create(nfeatures=features)
    suspect_gray, suspect_scale = _small_gray(suspect)
    source_gray, source_scale = _small_gray(source)
    source_points, source_descriptors = detector.detectAndCompute(source_gray, None)
    best = None
    for mirrored in (False, True):
        gray = suspect_gray[:, ::-1].copy() if mirrored else suspect_gray
        small, inliers, matches = _fit(detector, gray, source_points, source_descriptors)
        if small is None or (best is not None and inliers <= best.inliers):
            continue
        if mirrored:  # the fit was to the flipped frame: fold the flip in
            small = (as_3x3(small) @ _flip(gray.shape[1]))[:2]
        full = _scaled(small, 1 / suspect_scale, 1 / source_scale)
        best = Alignment(full, inliers, matches, mirrored)
    return best


def refine(
    suspect: np.ndarray, source: np.ndarray, transform: np.ndarray, iterations: int = 60
) -> np.ndarray:
    """The transform refined by ECC to a full affine on the shrunk grey frames (the start where ECC does
    not converge)."""
    suspect_gray, suspect_scale = _small_gray(suspect)
    source_gray, source_scale = _small_gray(source)
    start = _scaled(transform, suspect_scale, source_scale).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-5)
    try:
        _, fitted = cv2.findTransformECC(
            suspect_gray.astype(np.float32),
            source_gray.astype(np.float32),
            start.copy(),
            cv2.MOTION_AFFINE,
            criteria,
            None,
            5,
        )
    except cv2.error:
        return transform
    refined = _scaled(fitted.astype(np.float64), 1 / suspect_scale, 1 / source_scale)
    # a refinement that moves the frame's corners by more than a few pixels found another optimum
    moved = corner_shift(refined, transform, suspect.shape[1], suspect.shape[0])
    return refined if moved < 8.0 / source_scale else transform


def corner_shift(first: np.ndarray, second: np.ndarray, width: int, height: int) -> float:
    """The largest distance (source px) between where two transforms put the suspect's corners."""
    corners = np.array([[0, 0, 1], [width - 1, 0, 1], [0, height - 1, 1], [width - 1, height - 1, 1]], float)
    return float(np.abs(corners @ first.T - corners @ second.T).max())


def scale_of(transform: np.ndarray) -> float:
    """Source pixels per suspect pixel (the square root of the linear part's |determinant|)."""
    return float(np.sqrt(abs(np.linalg.det(transform[:, :2]))))


def warp_to_suspect(
    source: np.ndarray, transform: np.ndarray, size: tuple[int, int], border: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The source frame resampled into suspect pixels (width, height = size), and where it is valid
    (inside the source, `border` px in from its edge). A source larger than the suspect is shrunk by area
    averaging first, as a rescaled upload was, not point-sampled."""
    scale = scale_of(transform)
    shrink = 1.0
    if scale > 1.25:
        shrink = 1.0 / scale
        small = (max(1, round(source.shape[1] * shrink)), max(1, round(source.shape[0] * shrink)))
        source = cv2.resize(source, small, interpolation=cv2.INTER_AREA)
    matrix = (resize_map(shrink) @ as_3x3(transform))[:2]
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    warped = cv2.warpAffine(source, matrix, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpAffine(
        np.full(source.shape[:2], 255, np.uint8), matrix, size, flags=flags, borderValue=0
    )
    valid = inside == 255
    if border > 0:
        kernel = np.ones((2 * border + 1, 2 * border + 1), np.uint8)
        valid = cv2.erode(
            valid.astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0
        ).astype(bool)
    return warped, valid
