"""Making a phone's photo safe and light: read it, turn it upright, drop its metadata, shrink it.

Plain bytes in, plain bytes out: no models, no settings (the limits are arguments), so it
runs the same in a request, a task, the demo loader and the benchmark. What the photo is
comes from its content, as Pillow reads it, never from its name or the browser's word.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

import pillow_heif
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from doorstep.core.errors import DomainError

pillow_heif.register_heif_opener()

# Pillow's names for what phones and browsers send: iPhones HEIC (HEIF), the rest JPEG,
# screenshots PNG, some Android galleries WebP.
READABLE_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})
# Past this, decoding alone would take seconds and hundreds of megabytes; the largest
# phone sensors make 200-megapixel photos, but save 12 to 50 by default.
MAX_SOURCE_PIXELS = 120_000_000
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80


class PhotoRefused(DomainError):
    pass


@dataclass(frozen=True)
class ProcessedPhoto:
    """The cleaned photo and its thumbnail, both JPEG; the original only when asked to keep it."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int
    source_format: str
    original: bytes | None = None

    @property
    def original_extension(self) -> str:
        return {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}[self.source_format]


def process_photo(
    source: IO[bytes],
    *,
    size: int,
    max_bytes: int,
    max_pixels: int,
    thumbnail_pixels: int,
    keep_original: bool = False,
) -> ProcessedPhoto:
    """The photo upright, without EXIF (location above all), at most `max_pixels` on its
    long side, as JPEG; or PhotoRefused with the reason a technician can act on."""
    if size > max_bytes:
        raise PhotoRefused(
            gettext("This photo is larger than %(limit)s MB. Send a smaller one.")
            % {"limit": max_bytes // (1024 * 1024)}
        )
    if size == 0:
        raise PhotoRefused(gettext("This photo is empty."))
    source.seek(0)
    try:
        image = Image.open(source, formats=sorted(READABLE_FORMATS))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise PhotoRefused(
            gettext("This file is not a photo Doorstep can read (JPEG, PNG, WebP or HEIC).")
        ) from None
    with image:
        if image.format not in READABLE_FORMATS:  # pragma: no cover - formats= guards it
            raise PhotoRefused(gettext("This file is not a photo Doorstep can read."))
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise PhotoRefused(gettext("This photo has too many pixels to process."))
        source_format = str(image.format)
        try:
            if source_format == "JPEG":
                # A 48-megapixel JPEG decoded at half or a quarter of its size, still at
                # least max_pixels on its long side: a fraction of the time and memory.
                image.draft("RGB", (max_pixels, max_pixels))
            # Shrunk first and turned after: turning 12 megapixels costs more than shrinking.
            rgb = _rgb(image)
            rgb.thumbnail((max_pixels, max_pixels), Image.Resampling.BICUBIC)
            cleaned = ImageOps.exif_transpose(rgb) or rgb
        except (OSError, ValueError, SyntaxError):
            raise PhotoRefused(gettext("This photo is damaged and cannot be read.")) from None
    small = cleaned.copy()
    small.thumbnail((thumbnail_pixels, thumbnail_pixels), Image.Resampling.BICUBIC, reducing_gap=2)
    original = None
    if keep_original:
        source.seek(0)
        original = source.read()
    return ProcessedPhoto(
        image=_jpeg(cleaned, JPEG_QUALITY),
        thumbnail=_jpeg(small, THUMBNAIL_QUALITY),
        width=cleaned.width,
        height=cleaned.height,
        source_format=source_format,
        original=original,
    )


def _rgb(image: Image.Image) -> Image.Image:
    """The pixels in RGB; transparent parts (screenshots) on white, as a page shows them."""
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        flat.info = dict(image.info)  # the orientation is still needed to turn it
        return flat
    if image.mode != "RGB":
        return image.convert("RGB")
    image.load()
    return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    # What Pillow would carry over from the source (EXIF, XMP, ICC, comments) is dropped:
    # the new file holds pixels only.
    image.info = {}
    out = io.BytesIO()
    # Baseline, not progressive: a sixth of the time to write, and thumbnails are small.
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
