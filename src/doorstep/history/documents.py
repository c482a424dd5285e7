"""What a document upload may be: checked by its first bytes, never by its name or the
browser's word. Plain bytes in, plain values out."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from doorstep.core.errors import DomainError


class DocumentRefused(DomainError):
    pass


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    magic: bytes


# What the company's own systems produce: invoices, certificates and manuals as PDF, scans
# and photos as JPEG or PNG. SVG, HTML and anything else that a browser could run as a
# page are not among them, whatever the file is called.
PDF = Kind("application/pdf", "pdf", b"%PDF-")
JPEG = Kind("image/jpeg", "jpg", b"\xff\xd8\xff")
PNG = Kind("image/png", "png", b"\x89PNG\r\n\x1a\n")
KINDS = (PDF, JPEG, PNG)
# Enough for every signature above.
HEAD_BYTES = 16
NAME_LENGTH = 100


def identify(source: IO[bytes], *, size: int, max_bytes: int) -> Kind:
    """The kind of the file from its content, or DocumentRefused saying why not."""
    if size > max_bytes:
        raise DocumentRefused(
            gettext("This file is larger than %(limit)s MB.")
            % {"limit": max_bytes // (1024 * 1024)}
        )
    if size == 0:
        raise DocumentRefused(gettext("This file is empty."))
    source.seek(0)
    head = source.read(HEAD_BYTES)
    source.seek(0)
    kind = next((kind for kind in KINDS if head.startswith(kind.magic)), None)
    if kind is None:
        raise DocumentRefused(gettext("Only PDF, JPEG and PNG files can be attached."))
    if kind is not PDF:
        _check_image(source, kind)
    return kind


def _check_image(source: IO[bytes], kind: Kind) -> None:
    """A JPEG or PNG that Pillow reads as what its first bytes say, all the way through."""
    try:
        with Image.open(source, formats=["JPEG" if kind is JPEG else "PNG"]) as image:
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise DocumentRefused(gettext("This image is damaged and cannot be read.")) from None
    finally:
        source.seek(0)


def clean_name(name: str, kind: Kind) -> str:
    """A name safe to offer in Content-Disposition: no folders, no control or odd characters,
    at most NAME_LENGTH characters, and the extension of what the file really is."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = unicodedata.normalize("NFC", stem)
    stem = "".join(
        char for char in stem if unicodedata.category(char)[0] in {"L", "N", "Z"} or char in "-_.()"
    )
    stem = re.sub(r"\s+", " ", stem).strip(" .") or "document"
    return f"{stem[:NAME_LENGTH]}.{kind.extension}"
