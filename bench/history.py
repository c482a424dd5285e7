"""The service history: cleaning one phone photo of 12 megapixels (target: 300 ms of CPU),
making a service report with six photos (target: 1 s of CPU), and the customer's history
page of an account with 200 past visits (the same number of queries as with 2; requests a
second beside the hello-world, both through Django's test client in this process, so
without the server's own costs)."""

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
    photo()
    history_page()


def photo() -> None:
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


def history_page() -> None:
    from django.conf import settings
    from django.test.utils import override_settings

    # Static addresses without the manifest that `doorstep serve` collects first.
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        _history_page()


def _history_page() -> None:
    from datetime import timedelta

    from django.db import connections
    from django.db.backends.signals import connection_created
    from django.test import Client
    from django.utils import timezone

    from doorstep.catalog.models import IncidentType
    from doorstep.customers.models import Account, Contact
    from doorstep.history.models import Photo, VisitRecord
    from doorstep.scheduling.models import Booking, BookingStatus, WorkOrder
    from doorstep.users.models import User
    from doorstep.workforce.models import Resource

    account = Account.objects.create(
        name="History bench", address_line1="1 Main Street", city="Denver", country="US"
    )
    user = User.objects.create_user(email="history-bench@example.test", password=None)
    Contact.objects.create(
        account=account,
        user=user,
        first_name="Dana",
        last_name="Bench",
        email=user.email,
        profile_reviewed_at=timezone.now(),
    )
    service = IncidentType.objects.create(name="Boiler service", display_name="Boiler service")
    technician = Resource.objects.create(
        display_name="Alex M.",
        email="alex-bench@example.test",
        home_latitude=39.7,
        home_longitude=-104.95,
    )
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(user)

    def add_visits(count: int, offset: int) -> None:
        now = timezone.now()
        for number in range(offset, offset + count):
            done = now - timedelta(days=number + 1)
            order = WorkOrder.objects.create(
                account=account,
                incident_type=service,
                address_line1="1 Main Street",
                city="Denver",
                country="US",
            )
            booking = Booking.objects.create(
                work_order=order,
                resource=technician,
                start=done - timedelta(hours=1),
                end=done,
                status=BookingStatus.COMPLETED,
                completed_at=done,
                reference=f"HB{number:05d}",
            )
            VisitRecord.objects.create(booking=booking, work_done="Serviced the boiler.")
            for tag in ("before", "after"):
                Photo.objects.create(
                    booking=booking,
                    file=f"history/photos/{number}{tag}.jpg",
                    thumbnail=f"history/thumbnails/{number}{tag}.jpg",
                    tag=tag,
                    client_upload_id=tag,
                    width=2560,
                    height=1920,
                )

    # Counted on every connection: the view may run in a thread of its own (the project's
    # middleware is asynchronous), whose connection is not this one.
    counted = [0]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counted[0] += 1
        return execute(sql, params, many, context)

    def wrap(sender: object, connection: object, **kwargs: object) -> None:
        connection.execute_wrappers.append(count)  # type: ignore[attr-defined]

    connection_created.connect(wrap)
    for existing in connections.all():
        existing.execute_wrappers.append(count)

    def measure(path: str, rounds: int) -> tuple[int, float]:
        first = browser.get(path)
        assert first.status_code == 200, (path, first.status_code, first.get("Location"))
        before = counted[0]
        browser.get(path)
        queries = counted[0] - before
        started = time.perf_counter()
        for _ in range(rounds):
            assert browser.get(path).status_code == 200
        return queries, rounds / (time.perf_counter() - started)

    add_visits(2, 0)
    few_queries, _ = measure("/history/", 5)
    add_visits(198, 2)
    many_queries, rate = measure("/history/", 50)
    _, hello = measure("/healthz", 200)
    print(
        f"history page, 200 past visits (20 a page): {many_queries} queries "
        f"(with 2 visits: {few_queries}), {rate:.0f} requests/s in process, "
        f"{100 * rate / hello:.1f} % of the hello-world's {hello:.0f}"
    )
