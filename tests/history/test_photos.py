"""Photos made safe and light: upright, without EXIF or location, capped, as JPEG."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from doorstep.history.photos import PhotoRefused, process_photo
from tests.history import images

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 2560, "thumbnail_pixels": 400}


def process(data: bytes, **options: object) -> object:
    return process_photo(io.BytesIO(data), size=len(data), **{**LIMITS, **options})  # type: ignore[arg-type]


def metadata(data: bytes) -> tuple[dict[int, object], dict[str, object]]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif()), dict(image.info)


def test_a_phone_jpeg_is_stored_upright_without_exif_or_location() -> None:
    source = images.camera_jpeg(400, 300, orientation=6)
    assert metadata(source)[0][images.ORIENTATION] == 6  # the test's file is what phones send

    photo = process(source)

    exif, info = metadata(photo.image)
    assert exif == {}
    assert "exif" not in info
    assert "xmp" not in info
    assert "comment" not in info
    assert b"PhoneMaker" not in photo.image
    assert b"Phone 15" not in photo.image
    # Orientation 6: the stored pixels are turned a quarter clockwise to be seen upright,
    # so the portrait photo stands and the block of the stored top left is now top right.
    assert (photo.width, photo.height) == (300, 400)
    assert images.red_at(photo.image, 0.95, 0.05)
    assert not images.red_at(photo.image, 0.05, 0.05)
    assert metadata(photo.thumbnail)[0] == {}
    assert photo.original is None


def test_the_long_side_is_capped_and_a_thumbnail_made() -> None:
    photo = process(images.camera_jpeg(4000, 3000, orientation=1))

    assert (photo.width, photo.height) == (2560, 1920)
    with Image.open(io.BytesIO(photo.thumbnail)) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert max(thumbnail.size) == 400


def test_an_iphone_heic_photo_becomes_a_jpeg() -> None:
    source = images.heic(640, 480)
    with Image.open(io.BytesIO(source)) as image:
        assert image.format == "HEIF"

    photo = process(source)

    with Image.open(io.BytesIO(photo.image)) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 480)
    assert photo.source_format == "HEIF"


def test_webp_and_transparent_png_are_read() -> None:
    assert process(images.webp()).width == 64
    transparent = process(images.png(mode="RGBA"))
    with Image.open(io.BytesIO(transparent.image)) as image:
        assert min(image.convert("RGB").getpixel((10, 10))) > 240  # on white, not black


def test_the_original_is_kept_only_when_asked() -> None:
    source = images.camera_jpeg()
    photo = process(source, keep_original=True)
    assert photo.original == source
    assert photo.original_extension == "jpg"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (images.SVG, "not a photo"),
        (images.HTML, "not a photo"),
        (images.PDF, "not a photo"),
        (b"GIF89a" + b"\x00" * 40, "not a photo"),
        (images.camera_jpeg()[:1500], "damaged"),
        (b"", "empty"),
    ],
    ids=["svg", "html", "pdf", "gif", "truncated", "empty"],
)
def test_what_is_not_a_readable_photo_is_refused_with_the_reason(
    content: bytes, reason: str
) -> None:
    with pytest.raises(PhotoRefused, match=reason):
        process(content)


def test_a_photo_over_the_size_limit_is_refused() -> None:
    source = images.camera_jpeg()
    with pytest.raises(PhotoRefused, match="larger than 1 MB"):
        process_photo(
            io.BytesIO(source), size=2 * 1024 * 1024, **{**LIMITS, "max_bytes": 1024 * 1024}
        )
