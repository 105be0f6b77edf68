"""Real photographs to fake: scikit-image's bundled photos plus any folder the user gives."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from localize.common.errors import DatasetError
from localize.media.images import is_image_path, read_image

BUNDLED = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "camera",
    "immunohistochemistry",
    "retina",
    "hubble_deep_field",
)


def bundled_photos() -> dict[str, np.ndarray]:
    """scikit-image's bundled photographs as RGB uint8, keyed by name."""
    from skimage import data

    photos = {}
    for name in BUNDLED:
        image = getattr(data, name)()
        photos[name] = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image
    return photos


def folder_photos(folder: str | Path) -> dict[str, np.ndarray]:
    """Every readable image in `folder` (sorted, not recursive), keyed by file stem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError("not a folder", folder)
    photos = {path.stem: read_image(path) for path in sorted(folder.iterdir()) if is_image_path(path)}
    if not photos:
        raise DatasetError("holds no images", folder)
    return photos


def fit_side(image: np.ndarray, side: int) -> np.ndarray:
    """Resize so the shorter side is `side` pixels, keeping the aspect ratio."""
    height, width = image.shape[:2]
    scale = side / min(height, width)
    return cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
