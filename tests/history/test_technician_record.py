"""The technician records a visit in progress from /tech/: photos, notes, completing signed."""

from __future__ import annotations

import base64
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


def photo_upload(data: bytes | None = None, name: str = "IMG_0001.JPG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or images.camera_jpeg(), content_type="image/jpeg")


def test_the_visit_in_progress_offers_photos_notes_and_a_signature(tech: Client) -> None:
    page = tech.get("/tech/").content.decode()
    assert 'accept="image/*"' in page
    assert "capture" in page
    assert "multiple" in page
    assert 'name="completion_note"' in page
    assert 'name="internal_note"' in page
    assert "<canvas" in page
    assert "type the signer" in page.lower()


def test_a_photo_sent_twice_by_the_phone_is_stored_once(
    tech: Client, booking: Booking, django_capture_on_commit_callbacks: Capture
) -> None:
    url = reverse("technician:add_photos", args=[booking.pk])
    fields = {"tag": "before", "caption": "Leak", "client_upload_id": "uuid-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = tech.post(url, {**fields, "photo": photo_upload()}, HTTP_ACCEPT="application/json")
        again = tech.post(url, {**fields, "photo": photo_upload()}, HTTP_ACCEPT="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Photo.objects.filter(booking=booking).count() == 1
    assert tech.get(first.json()["thumbnail_url"]).status_code == 200


def test_a_file_that_is_not_a_photo_gets_the_reason(tech: Client, booking: Booking) -> None:
    answer = tech.post(
        reverse("technician:add_photos", args=[booking.pk]),
        {"photo": photo_upload(images.SVG, "photo.jpg"), "client_upload_id": "x"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400
    assert "not a photo" in answer.json()["error"]


def test_another_technician_cannot_add_photos(client: Client, booking: Booking) -> None:
    client.force_login(ResourceFactory(user=UserFactory()).user)
    answer = client.post(
        reverse("technician:add_photos", args=[booking.pk]), {"photo": photo_upload()}
    )
    assert answer.status_code == 404
    assert not Photo.objects.exists()


def test_completing_with_notes_and_a_drawn_signature(
    tech: Client, booking: Booking, django_capture_on_commit_callbacks: Capture
) -> None:
    drawn = "data:image/png;base64," + base64.b64encode(images.png(mode="RGBA")).decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = tech.post(
            reverse("technician:record", args=[booking.pk]),
            {
                "action": "complete",
                "completion_note": "Replaced the valve.",
                "internal_note": "Customer asked about a service plan.",
                "signer_name": "Dana Whitfield",
                "signature": drawn,
            },
            follow=True,
        )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    record = VisitRecord.objects.get(booking=booking)
    assert (record.work_done, record.signer_name) == ("Replaced the valve.", "Dana Whitfield")
    assert record.signature.name
    assert "completed" in answer.content.decode()


def test_a_forged_signature_is_refused_and_the_visit_stays_in_progress(
    tech: Client, booking: Booking
) -> None:
    answer = tech.post(
        reverse("technician:record", args=[booking.pk]),
        {"action": "complete", "signer_name": "Dana", "signature": "data:text/html,<script>"},
        follow=True,
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.IN_PROGRESS
    assert "could not be read" in answer.content.decode()


def test_saving_notes_keeps_them_in_the_form(tech: Client, booking: Booking) -> None:
    tech.post(
        reverse("technician:record", args=[booking.pk]),
        {
            "action": ["complete", "save"],
            "completion_note": "Half done",
            "internal_note": "Parts ordered",
        },
    )
    page = tech.get("/tech/").content.decode()
    assert "Half done" in page
    assert "Parts ordered" in page
