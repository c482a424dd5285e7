"""The customer's service plans page, and asking the office for a change."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.customers.models import Contact
from doorstep.plans.models import ChangeRequest, PlanStatus
from tests.factories import (
    AssetFactory,
    BookingFactory,
    ChangeRequestFactory,
    ContactFactory,
    FunctionalLocationFactory,
    IncidentTypeFactory,
    ServicePlanFactory,
    UserFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db
URL = "/plans/"


@pytest.fixture
def contact() -> Contact:
    return ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())


@pytest.fixture
def signed_in(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


def test_a_plan_shows_what_it_covers_how_often_and_when_the_next_visit_is_due(
    signed_in: Client, contact: Contact
) -> None:
    boiler = AssetFactory(account=contact.account, name="Gas boiler", serial_number="GB-1")
    ServicePlanFactory(
        account=contact.account,
        name="Boiler care",
        asset=boiler,
        every=3,
        unit="months",
        starts_on=timezone.localdate() + timedelta(days=20),
        customer_note="A full service and a safety check.",
        service_type__display_name="Boiler service",
    )
    page = signed_in.get(URL).content.decode()
    assert "Boiler care" in page
    assert "Boiler service" in page
    assert "Gas boiler (S/N GB-1)" in page
    assert "Every 3 months" in page
    assert "Next visit due" in page
    assert "A full service and a safety check." in page
    assert "This visit is not booked yet." in page
    assert (
        f'href="/book/?service_type={boiler.service_plans.get().service_type_id}&amp;asset={boiler.pk}"'
        in page
    )
    assert 'aria-current="page">Service plans<' in page


def test_a_booked_visit_is_shown_instead_of_the_booking_button(
    signed_in: Client, contact: Contact
) -> None:
    plan = ServicePlanFactory(account=contact.account, every=1, unit="months")
    start = timezone.now() + timedelta(days=31)
    booking = BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, incident_type=plan.service_type),
        start=start,
        end=start + timedelta(hours=1),
    )
    page = signed_in.get(URL).content.decode()
    assert "Booked for" in page
    assert reverse("portal:confirmation", args=[booking.pk]) in page
    assert "Book this visit" not in page


def test_a_service_customers_cannot_book_is_left_to_the_office(
    signed_in: Client, contact: Contact
) -> None:
    ServicePlanFactory(
        account=contact.account, service_type=IncidentTypeFactory(portal_enabled=False)
    )
    page = signed_in.get(URL).content.decode()
    assert "the office will offer you a time" in page
    assert "Book this visit" not in page


def test_weeks_and_a_single_month_read_naturally(signed_in: Client, contact: Contact) -> None:
    ServicePlanFactory(account=contact.account, name="Pool", every=2, unit="weeks")
    ServicePlanFactory(account=contact.account, name="Filters", every=1, unit="months")
    page = signed_in.get(URL).content.decode()
    assert "Every 2 weeks" in page
    assert "Every month" in page


def test_paused_and_ended_plans_say_so(signed_in: Client, contact: Contact) -> None:
    ServicePlanFactory(account=contact.account, name="Paused one", status=PlanStatus.PAUSED)
    ServicePlanFactory(account=contact.account, name="Old one", status=PlanStatus.ENDED)
    page = signed_in.get(URL).content.decode()
    assert "No visits fall due while the plan is paused." in page
    assert "Ended" in page
    assert "Book this visit" not in page


def test_without_plans_the_page_says_what_a_plan_is(signed_in: Client) -> None:
    page = signed_in.get(URL).content.decode()
    assert "You have no service plans yet." in page


def test_another_accounts_plan_is_neither_shown_nor_changeable(signed_in: Client) -> None:
    theirs = ServicePlanFactory(name="Their plan")
    assert "Their plan" not in signed_in.get(URL).content.decode()
    change = reverse("portal:plan_change", args=[theirs.pk])
    assert signed_in.get(change).status_code == 404
    assert signed_in.post(change, {"text": "Cancel it"}).status_code == 404
    assert not ChangeRequest.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    plan = ServicePlanFactory()
    for url in (URL, reverse("portal:plan_change", args=[plan.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_change_request_reaches_the_office_and_the_page_says_so(
    signed_in: Client, contact: Contact
) -> None:
    plan = ServicePlanFactory(account=contact.account, name="Boiler care")
    change = reverse("portal:plan_change", args=[plan.pk])
    assert "What would you like to change?" in signed_in.get(change).content.decode()

    response = signed_in.post(change, {"text": "  Visits in May rather than April, please. "})

    assert response.status_code == 302
    assert response["Location"] == URL
    request = ChangeRequest.objects.get()
    assert (request.plan, request.contact, request.text) == (
        plan,
        contact,
        "Visits in May rather than April, please.",
    )
    page = signed_in.get(URL).content.decode()
    assert "Your request about “Boiler care” is with the office." in page
    assert "the office has your request" in page


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Please tell us what you would like to change."),
        ("   ", "Please tell us what you would like to change."),
        ("x" * 1001, "1000"),
        ("May\x00please", "Null characters are not allowed."),
    ],
)
def test_a_request_that_cannot_be_sent_says_why_and_keeps_the_text(
    signed_in: Client, contact: Contact, text: str, reason: str
) -> None:
    plan = ServicePlanFactory(account=contact.account)
    response = signed_in.post(reverse("portal:plan_change", args=[plan.pk]), {"text": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert reason in page
    if text.strip() and "\x00" not in text:
        assert text in page
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("plan_id", ["0", "99999999999999999999", "-1", "abc"])
def test_odd_plan_numbers_are_not_found(signed_in: Client, plan_id: str) -> None:
    assert signed_in.get(f"/plans/{plan_id}/change/").status_code == 404


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "es",
            ["Planes de servicio", "Cada 3 meses", "Próxima visita prevista", "Pedir un cambio"],
        ),
        ("fr", ["Contrats d’entretien", "Tous les 3 mois", "Prochaine visite prévue"]),
        ("de", ["Wartungsverträge", "Alle 3 Monate", "Nächster Termin fällig"]),
        ("ar", ["خطط الصيانة", "كل 3 أشهر", "موعد الزيارة القادمة", 'dir="rtl"']),
    ],
)
def test_the_page_speaks_the_customers_language(
    client: Client, language: str, words: list[str]
) -> None:
    contact = ContactFactory(
        user=UserFactory(), preferred_language=language, profile_reviewed_at=timezone.now()
    )
    ServicePlanFactory(account=contact.account, every=3, unit="months")
    client.force_login(contact.user)
    page = client.get(URL).content.decode()
    assert [word for word in words if word not in page] == []
    for english in ("Next visit due", "How often", "Ask for a change", "Every 3 months"):
        assert english not in page


def test_the_booking_link_opens_the_booking_page_with_the_service_and_equipment_chosen(
    signed_in: Client, contact: Contact
) -> None:
    boiler = AssetFactory(account=contact.account, name="Gas boiler")
    plan = ServicePlanFactory(account=contact.account, asset=boiler)
    page = signed_in.get(f"/book/?service_type={plan.service_type_id}&asset={boiler.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(rf'name="service_type" value="{plan.service_type_id}"[^>]* checked>', html)
    assert f'<option value="{boiler.pk}" selected>' in html


def test_a_plan_for_a_site_is_booked_by_the_office(signed_in: Client, contact: Contact) -> None:
    # The booking page books at the customer's equipment or main address, not at a site.
    ServicePlanFactory(
        account=contact.account, site=FunctionalLocationFactory(account=contact.account)
    )
    page = signed_in.get(URL).content.decode()
    assert "the office will offer you a time" in page
    assert "Book this visit" not in page


def test_the_day_a_change_was_asked_is_the_customers_day(
    signed_in: Client, contact: Contact
) -> None:
    contact.account.time_zone = "America/Denver"
    contact.account.save()
    change = ChangeRequestFactory(plan__account=contact.account, contact=contact)
    # 20:00 in Denver on 3 March is 03:00 on 4 March in UTC.
    ChangeRequest.objects.filter(pk=change.pk).update(
        created_at=datetime(2027, 3, 4, 3, tzinfo=UTC)
    )
    page = signed_in.get(URL).content.decode()
    assert "You asked for a change on 3 March 2027" in page
