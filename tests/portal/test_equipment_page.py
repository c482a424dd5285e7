"""A piece of equipment's page: its visits to come and past, and its published documents,
for the contacts of its account only."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from doorstep.customers.models import Asset, Contact
from doorstep.history import services
from doorstep.history.models import DocumentType, Visibility, VisitRecord
from doorstep.scheduling.models import Booking, BookingStatus
from tests.factories import (
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    UserFactory,
    WorkOrderFactory,
)
from tests.history import images
from tests.history.test_history_page import document, past_visit, with_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact() -> Contact:
    return ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())


@pytest.fixture
def signed_in(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


@pytest.fixture
def boiler(contact: Contact) -> Asset:
    site = FunctionalLocationFactory(account=contact.account, name="Warehouse")
    return AssetFactory(
        account=contact.account, name="Boiler", serial_number="B-77", functional_location=site
    )


def page_of(asset: Asset) -> str:
    return reverse("portal:equipment", args=[asset.pk])


def upcoming_visit(contact: Contact, asset: Asset | None, days: int, **fields: Any) -> Booking:
    start = timezone.now() + timedelta(days=days)
    return BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, asset=asset),
        start=start,
        end=start + timedelta(hours=1),
        **fields,
    )


def equipment_document(
    asset: Asset, title: str, visibility: str, capture: Callable[..., Any]
) -> None:
    with capture(execute=True):
        services.add_document(
            upload=io.BytesIO(images.PDF),
            size=len(images.PDF),
            name=f"{title}.pdf",
            title=title,
            document_type=DocumentType.CERTIFICATE,
            asset=asset,
            visibility=visibility,
        )


def test_the_page_shows_the_equipment_s_visits_and_documents(
    signed_in: Client,
    contact: Contact,
    boiler: Asset,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    done = past_visit(contact, 10, asset=boiler)
    VisitRecord.objects.create(booking=done, work_done="Cleaned the burner.")
    coming = upcoming_visit(contact, boiler, 3)
    canceled = upcoming_visit(contact, boiler, 4, status=BookingStatus.CANCELED)
    other_equipment = past_visit(contact, 5, asset=AssetFactory(account=contact.account))
    no_equipment = upcoming_visit(contact, None, 2)
    equipment_document(
        boiler, "Gas safety certificate", Visibility.CUSTOMER, django_capture_on_commit_callbacks
    )
    equipment_document(
        boiler, "Supplier price list", Visibility.INTERNAL, django_capture_on_commit_callbacks
    )

    response = signed_in.get(page_of(boiler))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Boiler</h1>" in page
    assert "B-77" in page
    assert "Warehouse" in page
    assert done.reference in page
    assert "Cleaned the burner." in page
    assert coming.reference in page
    assert reverse("portal:confirmation", args=[coming.pk]) in page
    assert page.index("Upcoming visits") < page.index(coming.reference)
    assert page.index("Past visits") < page.index(done.reference)
    assert canceled.reference not in page
    assert other_equipment.reference not in page
    assert no_equipment.reference not in page
    assert "Gas safety certificate" in page
    assert "Supplier price list" not in page


def test_an_equipment_page_says_when_there_is_nothing_yet(signed_in: Client, boiler: Asset) -> None:
    page = signed_in.get(page_of(boiler)).content.decode()

    assert "No visits planned for this equipment." in page
    assert "No documents for this equipment yet." in page
    assert "No past visits here yet." in page


def test_another_account_s_equipment_is_not_found(signed_in: Client) -> None:
    theirs = AssetFactory(name="Their boiler")
    past_visit(ContactFactory(account=theirs.account), 3, asset=theirs)

    response = signed_in.get(page_of(theirs))

    assert response.status_code == 404
    assert "Their boiler" not in response.content.decode()
    assert signed_in.get("/equipment/999999/").status_code == 404


def test_the_equipment_page_needs_a_sign_in(client: Client, boiler: Asset) -> None:
    response = client.get(page_of(boiler))
    assert response.status_code == 302
    assert page_of(boiler) in response["Location"]


def test_the_history_and_each_visit_lead_to_the_equipment_page(
    signed_in: Client, contact: Contact, boiler: Asset
) -> None:
    done = past_visit(contact, 10, asset=boiler)
    coming = upcoming_visit(contact, boiler, 3)
    link = f'href="{page_of(boiler)}"'

    assert link in signed_in.get("/history/", {"equipment": boiler.pk}).content.decode()
    assert link in signed_in.get("/history/").content.decode()  # the past visit names it
    assert link in signed_in.get(reverse("portal:home")).content.decode()
    assert link in signed_in.get(reverse("portal:confirmation", args=[coming.pk])).content.decode()
    assert link in signed_in.get(reverse("portal:confirmation", args=[done.pk])).content.decode()


def test_the_page_reads_a_fixed_number_of_queries_however_many_visits(
    signed_in: Client,
    contact: Contact,
    boiler: Asset,
    django_capture_on_commit_callbacks: Callable[..., Any],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_visits(days: range) -> None:
        for day in days:
            booking = past_visit(contact, day, asset=boiler)
            with_photo(booking, django_capture_on_commit_callbacks)
            document(
                booking, f"Invoice {day}", Visibility.CUSTOMER, django_capture_on_commit_callbacks
            )
            VisitRecord.objects.create(booking=booking, work_done=f"Serviced on day {day}.")
            upcoming_visit(contact, boiler, day)
        equipment_document(
            boiler, f"Manual {days.start}", Visibility.CUSTOMER, django_capture_on_commit_callbacks
        )

    add_visits(range(2, 4))
    signed_in.get(page_of(boiler))  # the first page after signing in also settles the session

    # The user with their contact (the session is cached), the equipment with its site,
    # the upcoming visits, the past visits counted and read with their records, their
    # photos, documents and reports, the equipment's documents, and the portal settings
    # (which only a test's own transaction keeps out of their cache).
    with django_assert_num_queries(10):
        two = signed_in.get(page_of(boiler)).content.decode()
    add_visits(range(4, 22))
    with django_assert_num_queries(10):
        twenty = signed_in.get(page_of(boiler)).content.decode()

    assert two.count('class="history__visit"') == 2
    assert twenty.count('class="history__visit"') == 20
    assert twenty.count('class="visit visit--scheduled"') == 20
