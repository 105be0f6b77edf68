"""Image files in and out: RGB uint8 HxWx3 arrays at the boundary, OpenCV (BGR) only inside."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from localize.common.atomic import write_bytes_atomic
from localize.common.errors import MediaError

log = logging.getLogger(__name__)

# HEIC/HEIF (iPhones' photos) are read through pillow-heif, the optional extra forgeloc[heic]
HEIF_SUFFIXES = frozenset({".heic", ".heif"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}) | HEIF_SUFFIXES
# 50 megapixels: an 8K frame (33 MP) fits; inspection needs about 20 bytes a pixel (decoded BGR and RGB
# copies, the float32 probability map, mask and overlay), so a maximal image costs about 1 GB of 24
DEFAULT_MAX_PIXELS = 50_000_000
# 8 or 16 bit, grey or colour, as stored, turned by its EXIF orientation (IMREAD_UNCHANGED would ignore it)
_UPRIGHT = cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH
_EXIF_ORIENTATION = 0x0112  # values 5-8 turn the stored image a quarter turn


def is_image_path(path: str | Path) -> bool:
    """True when the suffix names an image format we read."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


@dataclass(frozen=True)
class ImageHeader:
    """What an image file's header says, read without decoding pixels: size as stored, frames, Pillow's
    format name ("JPEG", "GIF", ...) and whether its EXIF orientation turns it a quarter turn."""

    width: int
    height: int
    frames: int
    format: str
    quarter_turn: bool = False

    @property
    def shown_size(self) -> tuple[int, int]:
        """(width, height) as viewers show it, after the EXIF orientation."""
        return (self.height, self.width) if self.quarter_turn else (self.width, self.height)


@functools.cache
def heif_support() -> bool:
    """Whether HEIC/HEIF images can be read: pillow-heif (forgeloc[heic]) installed, its opener
    registered with Pillow."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def image_header(path: str | Path) -> ImageHeader | None:
    """The file's ImageHeader, or None if Pillow cannot identify the format."""
    from PIL import Image

    heif_support()

    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # our own max_pixels applies, not PIL's
    try:
        with Image.open(path) as im:
            frames = int(getattr(im, "n_frames", 1) or 1)
            return ImageHeader(im.size[0], im.size[1], frames, str(im.format), _quarter_turn(im))
    except Exception:
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _quarter_turn(im) -> bool:
    """Whether an open Pillow image's EXIF orientation (5-8) turns it a quarter turn; False when it has
    none or its EXIF cannot be read (a truncated file: its size is still known)."""
    try:
        return im.getexif().get(_EXIF_ORIENTATION, 1) in (5, 6, 7, 8)
    except Exception:
        return False


def checked_header(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageHeader:
    """The header of an image file that read_image would decode; MediaError when the file is missing, its
    header gives no size, or it is larger than `max_pixels` (checked before any pixel is decoded)."""
    path = Path(path)
    if not path.is_file():
        raise MediaError("file not found", path)
    header = image_header(path)
    if header is None and path.suffix.lower() in HEIF_SUFFIXES and not heif_support():
        raise MediaError("HEIC/HEIF photos need pillow-heif: pip install 'forgeloc[heic]'", path)
    if header is None:
        raise MediaError(
            "not a readable image (its header gives no size: PNG, JPEG, BMP, TIFF, WebP or HEIC)", path
        )
    if header.width * header.height > max_pixels:
        raise MediaError(
            f"image of {header.width}x{header.height} exceeds the limit of {max_pixels} pixels", path
        )
    return header


def read_image(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as RGB uint8 (H, W, 3); refuse images above `max_pixels`.

    The size is read from the header before any pixel is decoded; a file whose header cannot be read
    (a format Pillow does not know, such as Radiance HDR named .png) is refused, so the limit holds for
    every file that is decoded. An animated image is read as its first frame, with a warning. A photo
    stored sideways with an EXIF orientation (as phones store portraits) is turned upright, as viewers
    show it; an alpha channel is dropped.
    """
    path = Path(path)
    header = checked_header(path, max_pixels)
    if header.frames > 1:
        log.warning("%s: animated image of %d frames; only the first frame is analysed", path, header.frames)
    if header.format == "HEIF":  # OpenCV has no HEIF decoder; libheif applies the stored rotation
        return _read_heif(path)
    data = np.fromfile(path, dtype=np.uint8)
    image = cv2.imdecode(data, _UPRIGHT) if data.size else None
    if image is None:
        return _read_truncated(path)
    return to_rgb(image, path)


def _read_truncated(path: Path) -> np.ndarray:
    """What decodes of an image whose data ends early or is damaged (a photo carved from a damaged card,
    a download cut short), with a warning; MediaError when nothing does. Pillow fills the missing part with
    one colour (grey for JPEG, black for PNG); that tail (images decode top-down) is cut off, so its edge
    is not taken for a seam."""
    from PIL import ImageFile

    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, True
    try:
        image = _pillow_rgb(path)
    except Exception:
        raise MediaError("not a readable image (truncated or damaged beyond decoding)", path) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    filled = (image == image[-1, -1]).all(axis=(1, 2))  # rows all of the fill colour
    rows = len(filled) - int(np.argmin(filled[::-1])) if not filled.all() else 0  # the last row not
    if rows < 16:
        raise MediaError("not a readable image (truncated or damaged: nothing decodes)", path)
    what = (
        f"the top {rows} of its {len(filled)} rows decode and are"
        if rows < len(filled)
        else "what decodes is"
    )
    log.warning("%s: the image data ends early (truncated or damaged): %s analysed", path, what)
    return np.ascontiguousarray(image[:rows])


def _read_heif(path: Path) -> np.ndarray:
    """A HEIC/HEIF file's first image as RGB uint8, upright, through Pillow and pillow-heif."""
    try:
        return _pillow_rgb(path)
    except Exception as error:  # libheif's errors are ValueError, RuntimeError...
        raise MediaError(f"not a readable HEIF image ({error})", path) from None


def _pillow_rgb(path: Path) -> np.ndarray:
    """The first image of a file as RGB uint8, upright (EXIF orientation), decoded by Pillow."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        return np.ascontiguousarray(np.asarray(ImageOps.exif_transpose(im).convert("RGB")))


def to_rgb(image: np.ndarray, path: str | Path | None = None) -> np.ndarray:
    """Convert an OpenCV-decoded array (grey, BGR, BGRA; 8 or 16 bit) to RGB uint8."""
    if image.dtype == np.uint16:
        image = (image // 257).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise MediaError(f"unsupported pixel type {image.dtype}", path)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


# Fast settings, measured on 256x256 crops: the "up" filter with run-length coding encodes twice as fast
# as zlib level 1 with adaptive filters, into slightly smaller files; masks go out as 1-bit PNGs.
_PNG_RGB = [
    cv2.IMWRITE_PNG_COMPRESSION, 1,
    cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP,
    cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
]  # fmt: skip
_PNG_MASK = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_BILEVEL, 1]


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an RGB image or of a bool mask (1-bit; decoders read it as 0/255 or as bool)."""
    if image.dtype == bool:
        ok, buffer = cv2.imencode(".png", image.astype(np.uint8) * 255, _PNG_MASK)
    else:
        array = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
        ok, buffer = cv2.imencode(".png", array, _PNG_RGB)
    if not ok:
        raise MediaError("PNG encoding failed")
    return buffer.tobytes()


def encode_jpeg(image: np.ndarray, quality: int = 88) -> bytes:
    """JPEG bytes of an RGB image (for pictures that only illustrate, such as a report's thumbnails)."""
    ok, buffer = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise MediaError("JPEG encoding failed")
    return buffer.tobytes()


def write_png(path: str | Path, image: np.ndarray) -> None:
    """Write an RGB image or a mask as PNG, atomically."""
    write_bytes_atomic(path, encode_png(image))


def read_mask(path: str | Path) -> np.ndarray:
    """Read a mask image as bool (H, W): any channel above 127 is manipulated."""
    path = Path(path)
    data = np.fromfile(path, dtype=np.uint8) if path.is_file() else np.zeros(0, np.uint8)
    mask = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if mask is None:
        raise MediaError("not a readable mask image", path)
    return mask > 127
