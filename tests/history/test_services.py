"""The technician's record: photos stored once and cleaned, completing with a signature."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import storages
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from doorstep.history import services
from doorstep.history.models import Photo, PhotoTag, VisitRecord
from doorstep.history.photos import PhotoRefused
from doorstep.scheduling.models import Booking, BookingStatus, TimelineNote
from tests.factories import BookingFactory, UserFactory
from tests.history import images

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def send(booking: Booking, data: bytes, upload_id: str = "phone-1", **options: Any) -> Any:
    return services.add_photo(
        booking=booking,
        upload=io.BytesIO(data),
        size=len(data),
        client_upload_id=upload_id,
        uploaded_by=None,
        **options,
    )


def read(name: str) -> bytes:
    with storages["private"].open(name) as handle:
        return bytes(handle.read())


def signature_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_a_photo_is_stored_cleaned_with_its_thumbnail(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = BookingFactory(status=BookingStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        photo, created = send(booking, images.camera_jpeg(), tag=PhotoTag.BEFORE, caption=" Leak ")

    assert created
    assert (photo.tag, photo.caption, photo.width, photo.height) == ("before", "Leak", 300, 400)
    stored = read(photo.file.name)
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {}
    assert read(photo.thumbnail.name)[:3] == b"\xff\xd8\xff"
    assert photo.original.name == ""


def test_a_photo_sent_again_is_not_stored_twice(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = BookingFactory(status=BookingStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = send(booking, images.camera_jpeg(), "resend-me")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, created = send(booking, images.camera_jpeg(), "resend-me")

    assert not created
    assert again.pk == first.pk
    assert callbacks == []  # nothing written
    assert Photo.objects.count() == 1


@override_settings(DOORSTEP_PHOTO_KEEP_ORIGINAL=True)
def test_the_original_is_kept_when_the_setting_says_so(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    source = images.camera_jpeg()
    with django_capture_on_commit_callbacks(execute=True):
        photo, _ = send(BookingFactory(status=BookingStatus.IN_PROGRESS), source)
    assert read(photo.original.name) == source


@pytest.mark.parametrize("status", [BookingStatus.SCHEDULED, BookingStatus.COMPLETED])
def test_photos_are_added_while_the_visit_is_in_progress(status: str) -> None:
    done = timezone.now() if status == BookingStatus.COMPLETED else None
    with pytest.raises(services.RecordRefused, match="in progress"):
        send(BookingFactory(status=status, completed_at=done), images.camera_jpeg())
    assert not Photo.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused() -> None:
    with pytest.raises(PhotoRefused):
        send(BookingFactory(status=BookingStatus.IN_PROGRESS), images.SVG)
    assert not Photo.objects.exists()


def test_completing_keeps_the_record_and_the_signature(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = BookingFactory(status=BookingStatus.IN_PROGRESS)
    technician = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.complete_visit(
            booking=booking,
            work_done="Replaced the pump seal.",
            internal_note="Bring a spare next time.",
            signer_name="  Dana   Whitfield ",
            signature_png=signature_png(),
            completed_by=technician,
        )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert record.signer_name == "Dana Whitfield"
    assert record.signed_at is not None
    assert read(record.signature.name)[:8] == b"\x89PNG\r\n\x1a\n"
    note = TimelineNote.objects.get(work_order=booking.work_order)
    assert (note.text, note.customer_visible) == ("Replaced the pump seal.", True)


def test_a_typed_name_alone_signs(django_capture_on_commit_callbacks: Capture) -> None:
    booking = BookingFactory(status=BookingStatus.IN_PROGRESS)
    record = services.complete_visit(
        booking=booking, work_done="", internal_note="", signer_name="Dana", completed_by=None
    )
    assert (record.signer_name, record.signature.name) == ("Dana", "")
    assert record.signed_at is not None


@pytest.mark.parametrize(
    ("signature", "name", "reason"),
    [
        (b"not a png", "Dana", "could not be read"),
        (images.SVG, "Dana", "could not be read"),
        (None, "", None),
    ],
)
def test_a_signature_without_a_name_or_unreadable_completes_nothing(
    signature: bytes | None, name: str, reason: str | None
) -> None:
    booking = BookingFactory(status=BookingStatus.IN_PROGRESS)
    signature = signature if signature is not None else signature_png()
    with pytest.raises(services.RecordRefused, match=reason or "Type the name"):
        services.complete_visit(
            booking=booking,
            work_done="Done",
            internal_note="",
            signer_name=name,
            signature_png=signature,
            completed_by=None,
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.IN_PROGRESS
    assert not VisitRecord.objects.exists()
