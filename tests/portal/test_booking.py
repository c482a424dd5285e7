"""The booking, move and cancel pages, as a customer uses them (and misuses them)."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.portal.forms import RowChoiceField
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    UserFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")
BOOK = reverse("portal:book")
CUSTOMER_LAT, CUSTOMER_LON = "39.739200", "-104.990300"  # AccountFactory's coordinates


@pytest.fixture
def service():  # type: ignore[no-untyped-def]
    settings = PortalSettings.load()
    settings.minimum_lead_days, settings.maximum_lead_days = 1, 7
    settings.save()
    service = IncidentTypeFactory(display_name="Boiler service", description="Yearly check.")
    requirement = IncidentTypeSkillFactory(incident_type=service)
    # At the customer's door, so no travel time narrows the working hours in these tests.
    technician = ResourceFactory(home_latitude=CUSTOMER_LAT, home_longitude=CUSTOMER_LON)
    ResourceSkillFactory(resource=technician, skill=requirement.skill, proficiency=5)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(8), end_time=time(12)
        )
    return service


@pytest.fixture
def contact() -> Contact:
    return ContactFactory(
        user=UserFactory(),
        account=AccountFactory(time_zone="America/Denver"),
        profile_reviewed_at=timezone.now(),
    )


@pytest.fixture
def customer(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


def day_after_tomorrow() -> str:
    return (timezone.now().astimezone(DENVER).date() + timedelta(days=2)).isoformat()


def offered_times(customer: Client, service) -> list[str]:  # type: ignore[no-untyped-def]
    response = customer.get(BOOK, {"service_type": service.pk, "day": day_after_tomorrow()})
    return [slot.start.isoformat() for slot in response.context["availability"].times]


def test_the_page_offers_portal_service_types_by_their_customer_name(
    customer: Client, service
) -> None:  # type: ignore[no-untyped-def]
    IncidentTypeFactory(display_name="Office only", portal_enabled=False)

    page = customer.get(BOOK).content.decode()

    assert "Boiler service" in page
    assert "Yearly check." in page
    assert "Office only" not in page
    assert "Choose a service type to see the days" in page


def test_choosing_a_day_shows_its_times_without_javascript(customer: Client, service) -> None:  # type: ignore[no-untyped-def]
    times = offered_times(customer, service)

    assert len(times) == 4  # 08:00, 09:00, 10:00, 11:00 for a one-hour visit in 08:00–12:00
    page = customer.get(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow()}
    ).content.decode()
    assert "08:00–09:00" in page


def test_the_times_fragment_serves_the_script(customer: Client, service) -> None:  # type: ignore[no-untyped-def]
    response = customer.get(
        reverse("portal:times"), {"service_type": service.pk, "day": day_after_tomorrow()}
    )

    assert response.status_code == 200
    assert response.content.decode().count('name="start"') == 4


def test_days_outside_the_lead_times_are_not_offered(customer: Client, service) -> None:  # type: ignore[no-untyped-def]
    days = customer.get(BOOK, {"service_type": service.pk}).context["availability"].days
    today = timezone.now().astimezone(DENVER).date()

    assert [day for day, _ in days] == [today + timedelta(days=n) for n in range(1, 8)]


def test_a_fully_booked_day_is_marked_unavailable(customer: Client, service) -> None:  # type: ignore[no-untyped-def]
    technician = service.skill_requirements.get().skill.technicians.get()
    day = timezone.now().astimezone(DENVER).date() + timedelta(days=3)
    from datetime import datetime

    BookingFactory(
        resource=technician,
        start=datetime.combine(day, time(8), tzinfo=DENVER),
        end=datetime.combine(day, time(12), tzinfo=DENVER),
    )

    days = dict(customer.get(BOOK, {"service_type": service.pk}).context["availability"].days)
    assert days[day] is False
    assert "fully booked" in customer.get(BOOK, {"service_type": service.pk}).content.decode()


def test_booking_leads_to_the_confirmation(customer: Client, contact: Contact, service) -> None:  # type: ignore[no-untyped-def]
    start = offered_times(customer, service)[1]

    response = customer.post(
        BOOK,
        {
            "service_type": service.pk,
            "day": day_after_tomorrow(),
            "start": start,
            "details": "Gate code 1234",
        },
    )

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:confirmation", args=[booking.pk]) + "?booked=1"
    assert booking.work_order.source == WorkOrderSource.PORTAL
    assert booking.work_order.reported_by == contact
    page = customer.get(response["Location"]).content.decode()
    for expected in (
        booking.reference,
        "Boiler service",
        "09:00–10:00",
        "Add to calendar",
        "Move",
        "Cancel",
    ):
        assert expected in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"service_type": "999999"},
        {"service_type": "x", "day": "not a day", "start": "yesterday"},
        {"day": "2020-01-01"},
    ],
)
def test_bad_or_empty_input_is_refused_with_a_message(customer: Client, service, data) -> None:  # type: ignore[no-untyped-def]
    response = customer.post(BOOK, data)

    assert response.status_code == 400
    assert "Please check what you entered" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_past_or_unoffered_time_is_refused_and_the_choices_are_kept(
    customer: Client, service
) -> None:  # type: ignore[no-untyped-def]
    past = (timezone.now() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)

    response = customer.post(
        BOOK,
        {
            "service_type": service.pk,
            "day": day_after_tomorrow(),
            "start": past.isoformat(),
            "details": "Kept",
        },
    )

    assert response.status_code in (400, 409)
    page = response.content.decode()
    assert "Kept</textarea>" in page
    assert "checked" in page  # the chosen service type stays chosen
    assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile_offers_the_nearest_free_times(customer: Client, service) -> None:  # type: ignore[no-untyped-def]
    times = offered_times(customer, service)
    technician = service.skill_requirements.get().skill.technicians.get()
    from datetime import datetime

    taken = datetime.fromisoformat(times[1])
    BookingFactory(resource=technician, start=taken, end=taken + timedelta(hours=1))

    response = customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": times[1]}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "That time was just taken" in page
    assert "nearest free times on other days" in page
    # Each free time is offered once: the day's own as its choices, not again in a list.
    offered = re.findall(r'name="start"[^>]*value="([^"]+)"', page)
    assert len(offered) == len(set(offered))
    assert times[1] not in offered
    assert Booking.objects.count() == 1


def test_another_accounts_asset_is_not_accepted(customer: Client, service) -> None:  # type: ignore[no-untyped-def]
    response = customer.post(
        BOOK,
        {
            "service_type": service.pk,
            "asset": AssetFactory().pk,
            "day": day_after_tomorrow(),
            "start": offered_times(customer, service)[0],
        },
    )

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_a_service_type_not_offered_in_the_portal_is_not_accepted(
    customer: Client, service
) -> None:  # type: ignore[no-untyped-def]
    # The form shows its choices without building its querysets; a choice sent back is
    # still checked against them.
    times = offered_times(customer, service)
    service.portal_enabled = False
    service.save()

    response = customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": times[0]}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Booking.objects.exists()


def test_showing_the_page_builds_no_queryset(  # type: ignore[no-untyped-def]
    customer: Client, service, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = RowChoiceField.read_from

    def counted(self: RowChoiceField[Any], *, rows: Any, queryset: Any) -> None:
        def build() -> Any:
            built.append(self.label)
            return queryset()

        real(self, rows=rows, queryset=build)

    monkeypatch.setattr(RowChoiceField, "read_from", counted)

    page = customer.get(BOOK).content.decode()

    assert "Boiler service" in page
    assert built == []


def test_moving_keeps_the_service_and_changes_the_time(
    customer: Client, contact: Contact, service
) -> None:  # type: ignore[no-untyped-def]
    times = offered_times(customer, service)
    customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": times[0]}
    )
    booking = Booking.objects.get()
    url = reverse("portal:modify", args=[booking.pk])

    page = customer.get(url, {"day": day_after_tomorrow()}).content.decode()
    assert "Move visit" in page
    assert 'name="service_type"' not in page
    response = customer.post(url, {"day": day_after_tomorrow(), "start": times[2]})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start.isoformat() == times[2]


def test_the_move_page_shows_and_chooses_the_current_time_and_offers_cancel(
    customer: Client, contact: Contact, service
) -> None:  # type: ignore[no-untyped-def]
    times = offered_times(customer, service)
    customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": times[1]}
    )
    booking = Booking.objects.get()

    response = customer.get(reverse("portal:modify", args=[booking.pk]))

    page = response.content.decode()
    assert "Now booked for" in page
    checked = re.findall(r'<input type="radio" name="start"[^>]*checked', page)
    assert len(checked) == 1
    assert f'value="{times[1]}"' in checked[0]
    assert f'href="{reverse("portal:cancel", args=[booking.pk])}"' in page


def test_a_time_off_the_portals_grid_is_shown_chosen_and_kept_when_chosen_again(
    customer: Client, contact: Contact, service
) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, datetime

    day = date.fromisoformat(day_after_tomorrow())
    start = datetime.combine(day, time(9, 30), tzinfo=DENVER)  # the office booked 09:30
    booking = BookingFactory(
        work_order__account=contact.account,
        work_order__incident_type=service,
        start=start,
        end=start + timedelta(hours=1),
    )
    url = reverse("portal:modify", args=[booking.pk])

    page = customer.get(url).content.decode()
    kept = customer.post(url, {"day": day.isoformat(), "start": start.isoformat()})

    checked = re.findall(r'<input type="radio" name="start"[^>]*checked[^>]*>(.*?)</label>', page)
    assert [re.sub(r"<[^>]+>|\s+", " ", label).split() for label in checked] == [
        ["09:30–10:30", "booked", "now"]
    ]
    assert kept.status_code == 302
    assert "keeps its time" in customer.get(kept["Location"]).content.decode()
    booking.refresh_from_db()
    assert booking.start == start


def test_cancel_asks_why_and_cancels(customer: Client, contact: Contact) -> None:
    booking = BookingFactory(work_order__account=contact.account)
    url = reverse("portal:cancel", args=[booking.pk])

    response = customer.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Please tell us briefly why you cancel" in response.content.decode()

    response = customer.post(url, {"reason": "Fixed it myself"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELED


def test_in_progress_visits_cannot_be_moved_or_canceled(customer: Client, contact: Contact) -> None:
    booking = BookingFactory(work_order__account=contact.account, status=BookingStatus.IN_PROGRESS)

    home = customer.get(reverse("portal:home")).content.decode()
    assert "disabled" in home
    response = customer.post(
        reverse("portal:cancel", args=[booking.pk]), {"reason": "Hand-made POST"}
    )
    assert response.status_code == 400
    assert "Work on this visit has started" in response.content.decode()
    assert customer.get(reverse("portal:modify", args=[booking.pk])).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.IN_PROGRESS


@pytest.mark.parametrize("name", ["confirmation", "calendar", "modify", "cancel"])
def test_another_accounts_visit_is_404_on_every_page(customer: Client, name: str) -> None:
    foreign = BookingFactory()

    assert customer.get(reverse(f"portal:{name}", args=[foreign.pk])).status_code == 404
    if name in ("modify", "cancel"):
        assert (
            customer.post(reverse(f"portal:{name}", args=[foreign.pk]), {"reason": "x"}).status_code
            == 404
        )
    foreign.refresh_from_db()
    assert foreign.status == BookingStatus.SCHEDULED


@pytest.mark.parametrize("name", ["confirmation", "calendar", "modify", "cancel"])
def test_every_visit_page_needs_a_sign_in(client: Client, name: str) -> None:
    booking = BookingFactory()

    response = client.get(reverse(f"portal:{name}", args=[booking.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_add_to_calendar_gives_an_ics_file(customer: Client, contact: Contact) -> None:
    booking = BookingFactory(work_order__account=contact.account)

    response = customer.get(reverse("portal:calendar", args=[booking.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert f"UID:visit-{booking.reference}@" in body
    assert f"DTSTART:{booking.start.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}" in body


def test_on_the_day_clocks_go_back_the_repeated_hour_shows_its_zone(customer: Client) -> None:
    from datetime import date, datetime

    from doorstep.portal.availability import Availability
    from doorstep.scheduling.slots import Slot

    first = datetime(2026, 11, 1, 7, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 MDT
    second = datetime(2026, 11, 1, 8, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 MST
    from doorstep.portal.availability import clock_changes, time_label

    slots = [
        Slot(first, first + timedelta(hours=1), 1, timedelta()),
        Slot(second, second + timedelta(hours=1), 1, timedelta()),
    ]
    assert clock_changes(slots, DENVER)
    availability = Availability(
        days=[(date(2026, 11, 1), True)],
        day=date(2026, 11, 1),
        choices=[(slot, time_label(slot, DENVER, with_zone=True)) for slot in slots],
        times=[
            Slot(first, first + timedelta(hours=1), 1, timedelta()),
            Slot(second, second + timedelta(hours=1), 1, timedelta()),
        ],
        clock_changes=True,
    )
    from django.template.loader import render_to_string

    html = render_to_string(
        "portal/includes/when.html", {"availability": availability, "zone": DENVER}
    )

    assert "01:00 MDT–01:00 MST" in html
    assert "01:00 MST–02:00 MST" in html


def test_show_times_without_javascript_redraws_the_page_and_books_nothing(
    customer: Client, service
) -> None:  # type: ignore[no-untyped-def]
    response = customer.post(
        BOOK,
        {
            "service_type": service.pk,
            "day": day_after_tomorrow(),
            "details": "Gate 4",
            "show_times": "1",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "08:00–09:00" in page
    assert "Gate 4</textarea>" in page
    assert "Please check what you entered" not in page
    assert not Booking.objects.exists()


def test_the_move_page_times_fragment_does_not_repeat_the_address(
    customer: Client, contact: Contact, service
) -> None:  # type: ignore[no-untyped-def]
    booking = BookingFactory(work_order__account=contact.account, work_order__incident_type=service)

    fragment = customer.get(
        reverse("portal:times"), {"booking": booking.pk, "day": day_after_tomorrow()}
    ).content.decode()

    assert "The visit will be at" not in fragment
    assert (
        customer.get(reverse("portal:times"), {"booking": BookingFactory().pk}).status_code == 404
    )


@pytest.mark.parametrize(
    "params",
    [
        {"service_type": "²"},
        {"service_type": "9" * 5000},
        {"asset": "²", "service_type": "1"},
        {"day": "2026-13-45"},
    ],
)
def test_malformed_values_never_crash_the_pages(customer: Client, service, params) -> None:  # type: ignore[no-untyped-def]
    assert customer.get(BOOK, params).status_code == 200
    assert customer.get(reverse("portal:times"), params).status_code == 200
    assert customer.get(reverse("portal:times"), {"booking": "²"}).status_code == 200
    assert customer.post(BOOK, params).status_code == 400


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "garbage"]
)
def test_impossible_start_times_get_a_clear_error(customer: Client, service, start: str) -> None:  # type: ignore[no-untyped-def]
    response = customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": start}
    )

    assert response.status_code == 400
    assert "Choose a day and one of its free times" in response.content.decode()


def test_a_hand_made_start_off_the_grid_is_not_called_taken(customer: Client, service) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    start = datetime.fromisoformat(offered_times(customer, service)[0]) + timedelta(minutes=7)

    response = customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": start.isoformat()}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the times offered" in page
    assert "just taken" not in page


def test_the_nearest_free_times_are_fresh_in_the_visits_zone_and_bookable(
    customer: Client, service
) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    times = offered_times(customer, service)
    technician = service.skill_requirements.get().skill.technicians.get()
    taken = datetime.fromisoformat(times[1])
    BookingFactory(resource=technician, start=taken, end=taken + timedelta(hours=1))

    response = customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": times[1]}
    )

    alternatives = response.context["alternatives"]
    # The nearest on other days (the day's own free times are its choices already):
    # 10:00 and 11:00 the day before and 08:00 the day after, 22 to 23 hours away.
    day = timedelta(days=1)
    assert [slot.start for slot, _ in alternatives] == [
        datetime.fromisoformat(times[2]) - day,
        datetime.fromisoformat(times[3]) - day,
        datetime.fromisoformat(times[0]) + day,
    ]
    assert alternatives[0][1].endswith("10:00–11:00")  # Denver time, not UTC
    assert times[1] not in [
        slot.start.isoformat() for slot in response.context["availability"].times
    ]
    again = customer.post(
        BOOK, {"service_type": service.pk, "day": day_after_tomorrow(), "start": times[2]}
    )
    assert again.status_code == 302


def test_a_visit_on_its_way_can_be_canceled_but_not_moved(
    customer: Client, contact: Contact
) -> None:
    booking = BookingFactory(work_order__account=contact.account, status=BookingStatus.TRAVELING)

    response = customer.get(reverse("portal:modify", args=[booking.pk]))

    assert response.status_code == 302
    assert customer.get(reverse("portal:cancel", args=[booking.pk])).status_code == 200
