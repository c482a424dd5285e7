"""The service history: cleaning one phone photo of 12 megapixels (target: 300 ms of CPU),
and making a service report with six photos (target: 1 s of CPU)."""

from __future__ import annotations

import io
import statistics
import time

from PIL import Image

WIDTH, HEIGHT = 4032, 3024  # a 12-megapixel phone camera, held sideways
TARGET_MS = 300


def phone_photo() -> bytes:
    """A JPEG with a phone's detail (noise over gradients), EXIF orientation and GPS."""
    noise = Image.effect_noise((WIDTH, HEIGHT), 40)
    image = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((WIDTH, HEIGHT)),
            noise,
            Image.radial_gradient("L").resize((WIDTH, HEIGHT)),
        ],
    )
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (39.0, 44.0, 21.0), 3: "W", 4: (104.0, 59.0, 1.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def run() -> None:
    from doorstep.history.photos import process_photo

    data = phone_photo()
    cpu: list[float] = []
    for _ in range(6):
        started = time.process_time()
        photo = process_photo(
            io.BytesIO(data),
            size=len(data),
            max_bytes=50 * 1024 * 1024,
            max_pixels=2560,
            thumbnail_pixels=400,
        )
        cpu.append((time.process_time() - started) * 1000)
    median = statistics.median(cpu[1:])  # the first run also loads the codecs
    print(
        f"photo, {WIDTH}x{HEIGHT} JPEG of {len(data) / 1e6:.1f} MB -> {photo.width}x{photo.height} "
        f"({len(photo.image) / 1e6:.1f} MB) and a thumbnail: {median:.0f} ms CPU "
        f"(target {TARGET_MS} ms{', over' if median > TARGET_MS else ''})"
    )
    report_round()


REPORT_TARGET_MS = 1000


def report_round() -> None:
    """One service report with six photos (target: 1 s of CPU), drawn from its content.

    The photos are the benchmark's phone photo as processed for storage (2,560 px), which
    the report shrinks again for the page; the visit's rows are not read (a few queries).
    """
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from doorstep.history.photos import process_photo
    from doorstep.history.reports import (
        REPORT_PHOTO_PIXELS,
        ReportContent,
        ReportPhoto,
        image_data_url,
        render_pdf,
    )

    data = phone_photo()
    stored = process_photo(
        io.BytesIO(data),
        size=len(data),
        max_bytes=50 * 1024 * 1024,
        max_pixels=2560,
        thumbnail_pixels=400,
    ).image
    now = timezone.now()
    cpu: list[float] = []
    size = 0
    for _ in range(4):
        started = time.process_time()
        # Each photo shrunk for the page on its own, as the report does for six photos.
        shrunk = [image_data_url(stored, REPORT_PHOTO_PIXELS, keep_png=False) for _ in range(6)]
        photos = [ReportPhoto(url, "After", "Coil") for url in shrunk]
        content = ReportContent(
            language="en",
            company_name="Front Range Comfort Co.",
            company_lines=["+1 720 555 0100", "office@frontrange.example"],
            logo_url="",
            colors={"text": "#1f2933", "background": "#ffffff", "accent": "#0b7285"},
            font_family="system-ui, sans-serif",
            reference="FRC-48213",
            version=1,
            corrects=None,
            correction_reason="",
            service_type="Furnace repair",
            account_name="Jordan Alvarez",
            address_lines=["1440 Larimer Street", "Denver 80202"],
            equipment="Furnace (FX-981)",
            technician="Dana Whitfield",
            time_zone=ZoneInfo("America/Denver"),
            scheduled_start=now - timedelta(hours=3),
            scheduled_end=now - timedelta(hours=1),
            arrived_at=now - timedelta(hours=2, minutes=50),
            completed_at=now - timedelta(hours=1, minutes=20),
            work_done="Replaced the condensate pump and cleaned the filter. " * 6,
            photos=photos,
            signer_name="Jordan Alvarez",
            signed_at=now - timedelta(hours=1, minutes=20),
        )
        size = len(render_pdf(content))
        cpu.append((time.process_time() - started) * 1000)
    median = statistics.median(cpu[1:])  # the first run also loads fonts and Pango
    print(
        f"service report with 6 photos: {median:.0f} ms CPU, {size / 1e6:.1f} MB PDF "
        f"(target {REPORT_TARGET_MS} ms{', over' if median > REPORT_TARGET_MS else ''})"
    )
