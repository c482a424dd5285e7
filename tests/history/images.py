"""Real image files made on the spot, as phones and scanners would send them."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image

ORIENTATION = 0x0112
GPS_IFD = 0x8825
# Where the technician stood: what the cleaning must drop.
DENVER_GPS = {1: "N", 2: (39.0, 44.0, 21.12), 3: "W", 4: (104.0, 59.0, 1.08)}


def camera_jpeg(width: int = 400, height: int = 300, *, orientation: int = 6) -> bytes:
    """A JPEG as a phone held upright writes it: pixels stored sideways, EXIF orientation to
    turn them, the GPS position, the camera's make. A red block marks the stored top left."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((255, 0, 0), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 15"
    exif.get_ifd(GPS_IFD).update(DENVER_GPS)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def heic(width: int = 640, height: int = 480) -> bytes:
    image = Image.new("RGB", (width, height), (20, 120, 200))
    image.paste((250, 250, 0), (0, 0, width // 2, height // 2))
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=80)
    return out.getvalue()


def png(width: int = 64, height: int = 48, *, mode: str = "RGB") -> bytes:
    colour = (0, 0, 0, 0) if mode == "RGBA" else (0, 128, 0)
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, "PNG")
    return out.getvalue()


def webp(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 0, 200)).save(out, "WEBP")
    return out.getvalue()


def red_at(data: bytes, x: float, y: float) -> bool:
    """Whether the pixel at a fraction (x, y) of the stored image is red."""
    with Image.open(io.BytesIO(data)) as image:
        r, g, b = image.convert("RGB").getpixel(
            (int(x * (image.width - 1)), int(y * (image.height - 1)))
        )
    return r > 200 and g < 60 and b < 60


PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
