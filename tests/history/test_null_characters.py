"""A NUL character in anything a technician types is dropped, never a server error.

PostgreSQL refuses a text value holding NUL, and the technician's forms are read field by
field, so every text they send is tried with one: the class, not one field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.history.models import Photo, VisitRecord
from doorstep.scheduling.models import Booking, BookingStatus
from tests.factories import BookingFactory, ResourceFactory, UserFactory
from tests.history import images

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]
NUL = "\x00"


@pytest.fixture
def booking() -> Booking:
    return BookingFactory(
        status=BookingStatus.IN_PROGRESS,
        start=timezone.now().replace(second=0, microsecond=0),
        resource=ResourceFactory(user=UserFactory()),
    )


@pytest.fixture
def tech(client: Client, booking: Booking) -> Client:
    client.force_login(booking.resource.user)
    return client


@pytest.mark.parametrize(
    ("field", "action"),
    [
        ("completion_note", ["complete", "save"]),
        ("internal_note", ["complete", "save"]),
        ("completion_note", "complete"),
        ("internal_note", "complete"),
        ("signer_name", "complete"),  # a signer is kept when the visit is completed
    ],
)
def test_a_nul_in_the_record_is_dropped(
    tech: Client,
    booking: Booking,
    field: str,
    action: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    form = {"action": action, "completion_note": "Done.", "internal_note": "", "signer_name": ""}
    form[field] = f"Replaced{NUL} the valve"

    with django_capture_on_commit_callbacks(execute=True):
        answer = tech.post(reverse("technician:record", args=[booking.pk]), form)

    assert answer.status_code < 500
    record = VisitRecord.objects.get(booking=booking)
    assert NUL not in record.work_done + record.internal_note + record.signer_name
    text = {"completion_note": record.work_done, "internal_note": record.internal_note}
    assert text.get(field, record.signer_name) == "Replaced the valve"


@pytest.mark.parametrize("field", ["caption", "client_upload_id"])
def test_a_nul_beside_a_photo_is_dropped(
    tech: Client, booking: Booking, field: str, django_capture_on_commit_callbacks: Capture
) -> None:
    upload = SimpleUploadedFile("IMG_1.JPG", images.camera_jpeg(), content_type="image/jpeg")
    form: dict[str, Any] = {"photo": upload, "tag": "before", field: f"Leak{NUL} under sink"}

    with django_capture_on_commit_callbacks(execute=True):
        answer = tech.post(reverse("technician:add_photos", args=[booking.pk]), form)

    assert answer.status_code < 500
    photo = Photo.objects.get(booking=booking)
    assert NUL not in photo.caption + photo.client_upload_id
