"""The customer's service history page: past visits, newest first, with what they left behind."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from doorstep.customers.models import Contact
from doorstep.history import services
from doorstep.history.models import DocumentType, Photo, Visibility, VisitRecord
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.factories import (
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    UserFactory,
    WorkOrderFactory,
)
from tests.history import images

pytestmark = pytest.mark.django_db
URL = "/history/"


@pytest.fixture
def contact() -> Contact:
    return ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())


@pytest.fixture
def signed_in(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


def past_visit(contact: Contact, days_ago: int, **work_order: Any) -> Booking:
    done = timezone.now() - timedelta(days=days_ago)
    return BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, **work_order),
        status=BookingStatus.COMPLETED,
        start=done - timedelta(hours=1),
        end=done,
        completed_at=done,
    )


def with_photo(booking: Booking, capture: Callable[..., Any]) -> Photo:
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.IN_PROGRESS)
    booking.refresh_from_db()
    data = images.camera_jpeg()
    with capture(execute=True):
        photo, _ = services.add_photo(
            booking=booking,
            upload=io.BytesIO(data),
            size=len(data),
            client_upload_id=f"p{booking.pk}",
            caption="New seal",
            tag="after",
            uploaded_by=None,
        )
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED)
    return photo


def document(booking: Booking, title: str, visibility: str, capture: Callable[..., Any]) -> None:
    with capture(execute=True):
        services.add_document(
            upload=io.BytesIO(images.PDF),
            size=len(images.PDF),
            name=f"{title}.pdf",
            title=title,
            document_type=DocumentType.INVOICE,
            booking=booking,
            visibility=visibility,
        )


def test_past_visits_show_newest_first_with_what_they_left(
    signed_in: Client, contact: Contact, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    older = past_visit(contact, 30)
    newer = past_visit(contact, 2)
    VisitRecord.objects.create(booking=newer, work_done="Replaced the pump seal.")
    photo = with_photo(newer, django_capture_on_commit_callbacks)
    document(newer, "Invoice 1042", Visibility.CUSTOMER, django_capture_on_commit_callbacks)
    document(newer, "Margin sheet", Visibility.INTERNAL, django_capture_on_commit_callbacks)
    VisitFeedback.objects.create(booking=older, rating=4)
    BookingFactory(work_order=WorkOrderFactory(account=contact.account))  # upcoming
    past_visit(ContactFactory(), 1)  # another account's

    page = signed_in.get(URL).content.decode()

    assert page.count('class="history__visit"') == 2
    assert page.index(newer.reference) < page.index(older.reference)
    assert "Replaced the pump seal." in page
    assert reverse("portal:file", args=["thumbnail", photo.pk]) in page
    assert reverse("portal:file", args=["photo", photo.pk]) in page
    assert 'alt="After: New seal"' in page
    assert "Invoice 1042" in page
    assert "Margin sheet" not in page
    assert "You rated this visit 4 stars out of 5." in page


def test_the_history_filters_by_equipment_and_by_site(signed_in: Client, contact: Contact) -> None:
    site = FunctionalLocationFactory(account=contact.account, name="Warehouse")
    boiler = AssetFactory(account=contact.account, name="Boiler", functional_location=site)
    at_site = past_visit(contact, 3, asset=boiler)
    by_address = past_visit(
        contact, 4, address_line1=site.address_line1, postal_code=site.postal_code
    )
    elsewhere = past_visit(contact, 5)

    by_equipment = signed_in.get(URL, {"equipment": boiler.pk}).content.decode()
    by_site = signed_in.get(URL, {"site": site.pk}).content.decode()

    assert at_site.reference in by_equipment
    assert by_address.reference not in by_equipment
    assert elsewhere.reference not in by_equipment
    assert at_site.reference in by_site
    assert by_address.reference in by_site
    assert elsewhere.reference not in by_site


def test_a_site_shows_its_own_published_documents(
    signed_in: Client, contact: Contact, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    site = FunctionalLocationFactory(account=contact.account, name="Warehouse")
    other = FunctionalLocationFactory(account=contact.account, name="Shop")
    published = {}
    for place, title, visibility in (
        (site, "Fire safety inspection 2026", Visibility.CUSTOMER),
        (site, "Quote margins", Visibility.INTERNAL),
        (other, "Shop floor plan", Visibility.CUSTOMER),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            published[title] = services.add_document(
                upload=io.BytesIO(images.PDF),
                size=len(images.PDF),
                name=f"{title}.pdf",
                title=title,
                document_type=DocumentType.CERTIFICATE,
                site=place,
                visibility=visibility,
            )

    page = signed_in.get(URL, {"site": site.pk}).content.decode()
    everything = signed_in.get(URL).content.decode()

    assert "Documents for Warehouse" in page
    assert "Fire safety inspection 2026" in page
    assert "Quote margins" not in page
    assert "Shop floor plan" not in page
    download = reverse(
        "portal:file", args=["document", published["Fire safety inspection 2026"].pk]
    )
    assert download in page
    assert signed_in.get(download).status_code == 200
    assert "Documents for" not in everything  # a site's own papers show under its name


def test_another_account_s_equipment_in_the_address_filters_nothing(
    signed_in: Client, contact: Contact
) -> None:
    mine = past_visit(contact, 3)
    page = signed_in.get(URL, {"equipment": AssetFactory().pk, "page": "x"}).content.decode()
    assert mine.reference in page


def queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_page_reads_as_many_queries_for_twenty_visits_as_for_two(
    signed_in: Client, contact: Contact, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    for days in (2, 3):
        booking = past_visit(contact, days)
        with_photo(booking, django_capture_on_commit_callbacks)
        VisitFeedback.objects.create(booking=booking, rating=5)
    queries(signed_in)  # the first page after signing in also settles the session
    two = queries(signed_in)
    for days in range(4, 22):
        booking = past_visit(contact, days)
        with_photo(booking, django_capture_on_commit_callbacks)
        document(
            booking, f"Invoice {days}", Visibility.CUSTOMER, django_capture_on_commit_callbacks
        )

    assert queries(signed_in) == two


def test_the_history_needs_a_sign_in(client: Client) -> None:
    assert client.get(URL).status_code == 302


def test_the_completed_visit_link_shows_what_the_visit_left(
    client: Client, contact: Contact, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from doorstep.access import visit_links

    booking = past_visit(contact, 1)
    VisitRecord.objects.create(booking=booking, work_done="Cleaned the burner.")
    photo = with_photo(booking, django_capture_on_commit_callbacks)
    document(booking, "Invoice 77", Visibility.CUSTOMER, django_capture_on_commit_callbacks)
    code = visit_links.issue_visit_link(booking=booking)

    page = client.get(reverse("visit_link", args=[code])).content.decode()

    assert "Cleaned the burner." in page
    thumbnail = reverse("portal:visit_link_file", args=[code, "thumbnail", photo.pk])
    assert thumbnail in page
    assert "Invoice 77" in page
    assert "/files/" not in page.replace(f"/t/{code}/files/", "")  # no signed-in addresses
    assert client.get(thumbnail).status_code == 200
