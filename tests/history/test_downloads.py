"""Private files: only the visit's account, its technician, the office or a valid visit link."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.access import visit_links
from doorstep.access.models import VisitLink
from doorstep.history import services
from doorstep.history.models import Document, DocumentType, Photo, Visibility
from doorstep.scheduling.models import Booking, BookingStatus
from tests.factories import (
    AssetFactory,
    BookingFactory,
    ContactFactory,
    ResourceFactory,
    StaffUserFactory,
    UserFactory,
    WorkOrderFactory,
)
from tests.history import images

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


@pytest.fixture
def booking() -> Booking:
    asset = AssetFactory()
    return BookingFactory(
        status=BookingStatus.IN_PROGRESS,
        work_order=WorkOrderFactory(account=asset.account, asset=asset),
        resource=ResourceFactory(user=UserFactory()),
    )


@pytest.fixture
def photo(booking: Booking, django_capture_on_commit_callbacks: Capture) -> Photo:
    data = images.camera_jpeg()
    with django_capture_on_commit_callbacks(execute=True):
        stored, _ = services.add_photo(
            booking=booking,
            upload=io.BytesIO(data),
            size=len(data),
            client_upload_id="a",
            uploaded_by=None,
        )
    return stored


def document(capture: Capture, visibility: str = Visibility.CUSTOMER, **target: Any) -> Document:
    with capture(execute=True):
        return services.add_document(
            upload=io.BytesIO(images.PDF),
            size=len(images.PDF),
            name="Invoice 1042.pdf",
            title="Invoice 1042",
            document_type=DocumentType.INVOICE,
            visibility=visibility,
            **target,
        )


def signed_in(client: Client, booking: Booking) -> Client:
    contact = ContactFactory(account=booking.work_order.account, user=UserFactory())
    client.force_login(contact.user)
    return client


def file_url(kind: str, pk: int) -> str:
    return reverse("portal:file", args=[kind, pk])


def assert_private(answer: Any) -> None:
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in answer["Cache-Control"]
    assert "private" in answer["Cache-Control"]


def test_a_contact_of_the_account_gets_the_photo(
    client: Client, booking: Booking, photo: Photo
) -> None:
    answer = signed_in(client, booking).get(file_url("photo", photo.pk))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg"
    assert answer["Content-Disposition"] == f'inline; filename="photo-{photo.pk}.jpg"'
    assert_private(answer)
    assert answer.content[:3] == b"\xff\xd8\xff"
    assert client.get(file_url("thumbnail", photo.pk)).status_code == 200


def test_a_document_downloads_as_an_attachment_under_its_clean_name(
    client: Client, booking: Booking, django_capture_on_commit_callbacks: Capture
) -> None:
    invoice = document(django_capture_on_commit_callbacks, booking=booking)
    answer = signed_in(client, booking).get(file_url("document", invoice.pk) + "?download=1")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="Invoice 1042.pdf"'
    assert answer.content == images.PDF
    assert_private(answer)


def test_the_visit_technician_and_the_office_get_the_photo(
    client: Client, booking: Booking, photo: Photo
) -> None:
    client.force_login(booking.resource.user)
    assert client.get(file_url("photo", photo.pk)).status_code == 200
    client.force_login(StaffUserFactory())
    assert client.get(file_url("photo", photo.pk)).status_code == 200


def test_a_valid_visit_link_gets_its_visit_files(
    client: Client, booking: Booking, photo: Photo, django_capture_on_commit_callbacks: Capture
) -> None:
    manual = document(django_capture_on_commit_callbacks, asset=booking.work_order.asset)
    code = visit_links.issue_visit_link(booking=booking)

    for kind, pk in (("photo", photo.pk), ("document", manual.pk)):
        answer = client.get(reverse("portal:visit_link_file", args=[code, kind, pk]))
        assert answer.status_code == 200
        assert_private(answer)
        assert answer["Referrer-Policy"] == "no-referrer"


def test_everyone_else_gets_the_same_404(
    booking: Booking, photo: Photo, django_capture_on_commit_callbacks: Capture
) -> None:
    internal = document(django_capture_on_commit_callbacks, Visibility.INTERNAL, booking=booking)
    other_visit = BookingFactory(completed_at=None)
    other_file = document(django_capture_on_commit_callbacks, booking=other_visit)
    expired_visit = BookingFactory(
        work_order=booking.work_order,
        status=BookingStatus.COMPLETED,
        completed_at=timezone.now() - timedelta(days=30),
    )
    expired = visit_links.issue_visit_link(booking=expired_visit)
    blocked = visit_links.issue_visit_link(booking=booking)
    visit_links.block(link=VisitLink.objects.get(booking=booking))
    valid_other = visit_links.issue_visit_link(booking=other_visit)
    photo_url = file_url("photo", photo.pk)

    def by_link(code: str, kind: str, pk: int) -> str:
        return reverse("portal:visit_link_file", args=[code, kind, pk])

    answers = {
        "anonymous": Client().get(photo_url),
        "another account": signed_in(Client(), other_visit).get(photo_url),
        "another technician": _as(ResourceFactory(user=UserFactory()).user).get(photo_url),
        "a signed-in user of no account": _as(UserFactory()).get(photo_url),
        "an internal document": signed_in(Client(), booking).get(file_url("document", internal.pk)),
        "another account's document": signed_in(Client(), booking).get(
            file_url("document", other_file.pk)
        ),
        "an expired link": Client().get(by_link(expired, "photo", photo.pk)),
        "a blocked link": Client().get(by_link(blocked, "photo", photo.pk)),
        "another visit's link": Client().get(by_link(valid_other, "photo", photo.pk)),
        "a link and an internal document": Client().get(
            by_link(valid_other, "document", internal.pk)
        ),
        "an unknown file": signed_in(Client(), booking).get(file_url("photo", 999999)),
        "an unknown kind": signed_in(Client(), booking).get(file_url("secrets", photo.pk)),
    }

    assert {who: answer.status_code for who, answer in answers.items()} == dict.fromkeys(
        answers, 404
    )


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
