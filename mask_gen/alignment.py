"""Are a real and a fake the same footage? Frame counts and sizes (and the dataset's mask video) before
any decoding, then, per sampled frame, the difference outside the faces."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from localize.common.errors import PairError
from localize.faces.tracker import Box
from localize.media.reader import media_info
from mask_gen.core import difference_map
from mask_gen.datasets.pair import Pair

if TYPE_CHECKING:
    from mask_gen.config import MaskGenConfig


def check_alignment(pair: Pair, config: MaskGenConfig) -> int:
    """Frame count of the pair after checking both sides (and the dataset mask video when it is used)
    exist and match in size and in frame count."""
    if not pair.real.is_file():
        raise PairError("original not found", pair.real)
    real_info = media_info(pair.real)
    if pair.fake is None:
        return real_info.frames
    if not pair.fake.is_file():
        raise PairError("fake not found", pair.fake)
    fake_info = media_info(pair.fake)
    if (fake_info.width, fake_info.height) != (real_info.width, real_info.height):
        raise PairError(
            f"frame size mismatch: fake {fake_info.width}x{fake_info.height}, "
            f"real {real_info.width}x{real_info.height}",
            pair.fake,
        )
    if fake_info.frames != real_info.frames:
        raise PairError(f"frame count mismatch: fake {fake_info.frames}, real {real_info.frames}", pair.fake)
    if config.masks == "dataset":
        if pair.mask is None:
            raise PairError("no dataset mask for this fake (--masks dataset)", pair.fake)
        mask_info = media_info(pair.mask)
        if (mask_info.frames, mask_info.width, mask_info.height) != (
            real_info.frames,
            real_info.width,
            real_info.height,
        ):
            raise PairError(
                f"mask video has {mask_info.frames} frames of {mask_info.width}x{mask_info.height}, "
                f"the pair {real_info.frames} of {real_info.width}x{real_info.height}",
                pair.mask,
            )
    return real_info.frames


OUTSIDE_SCALE = 4


def shrink(frame: np.ndarray) -> np.ndarray:
    """The frame shrunk OUTSIDE_SCALE times, for the alignment check (bilinear: a fifth of the cost of
    area averaging, and the check's blur and median smooth what it leaves)."""
    height, width = frame.shape[:2]
    size = (max(1, width // OUTSIDE_SCALE), max(1, height // OUTSIDE_SCALE))
    return cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR)


def check_outside(
    small_real: np.ndarray,
    small_fake: np.ndarray,
    shape: tuple[int, ...],
    boxes: list[Box],
    pair: Pair,
    index: int,
    config: MaskGenConfig,
) -> None:
    """Refuse a pair whose frames differ far outside the faces: they are not the same footage.

    The median ignores a manipulated region that spills out of a box (it covers less than half of the
    rest of the frame); frames shrunk OUTSIDE_SCALE times are plenty to tell other footage apart.
    """
    height, width = shape[:2]
    distance = difference_map(small_real, small_fake, config.mask.blur_kernel)
    sx, sy = distance.shape[1] / width, distance.shape[0] / height
    outside = np.ones(distance.shape, bool)
    for x0, y0, x1, y1 in boxes:
        outside[int(y0 * sy) : int(np.ceil(y1 * sy)), int(x0 * sx) : int(np.ceil(x1 * sx))] = False
    if not outside.any():
        return
    median = float(np.median(distance[outside]))
    if median > config.max_outside_distance:
        raise PairError(
            f"real and fake are not aligned at frame {index}: median difference outside the face is "
            f"{median:.1f} (limit {config.max_outside_distance})",
            pair.fake,
        )
