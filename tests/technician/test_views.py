from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange, TimelineNote
from doorstep.workforce.models import Resource
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    ResourceFactory,
    TimelineNoteFactory,
    UserFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")
VISITS_URL = "/tech/"


@pytest.fixture
def technician() -> Resource:
    return ResourceFactory(
        display_name="Alex M.",
        user=UserFactory(email="alex@example.test"),
        time_zone="America/Denver",
    )


@pytest.fixture
def tech_client(client: Client, technician: Resource) -> Client:
    client.force_login(technician.user)
    return client


def denver_day(offset: int) -> date:
    return timezone.localtime(timezone.now(), DENVER).date() + timedelta(days=offset)


def visit_at(
    technician: Resource,
    *,
    day: int,
    hour: int,
    status: str = BookingStatus.SCHEDULED,
    **extra: Any,
) -> Booking:
    start = datetime.combine(denver_day(day), time(hour), tzinfo=DENVER)
    if status == BookingStatus.COMPLETED:
        extra.setdefault("completed_at", start + timedelta(hours=1))
    extra.setdefault("work_order__account__time_zone", "America/Denver")
    return BookingFactory(
        resource=technician, start=start, end=start + timedelta(hours=1), status=status, **extra
    )


def status_url(booking: Booking) -> str:
    return reverse("technician:change_status", args=[booking.pk])


def buttons(html: str, booking: Booking) -> list[str]:
    article = html.split(f'id="visit-{booking.pk}"', 1)[1].split("</article>", 1)[0]
    return re.findall(r'<button type="submit" class="button[^"]*">([^<]+)</button>', article)


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Who may see the app -----------------------------------------------------------------------


def test_visits_need_a_sign_in(client: Client) -> None:
    response = client.get(VISITS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/tech/" in response["Location"]


def test_someone_who_is_not_a_technician_gets_a_friendly_403(client: Client) -> None:
    customer = ContactFactory(user=UserFactory(email="casey@example.test"))
    client.force_login(customer.user)

    response = client.get(VISITS_URL)

    assert response.status_code == 403
    assert "This page is for technicians" in response.content.decode()
    assert "ask the office to link your sign-in" in response.content.decode()


def test_someone_who_is_not_a_technician_cannot_move_a_visit(
    client: Client, technician: Resource
) -> None:
    booking = visit_at(technician, day=0, hour=9)
    client.force_login(UserFactory())

    response = client.post(status_url(booking), {"status": BookingStatus.TRAVELING})

    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED


def test_status_changes_need_a_post(tech_client: Client, technician: Resource) -> None:
    booking = visit_at(technician, day=0, hour=9)

    assert tech_client.get(status_url(booking)).status_code == 405


# --- What the technician sees ------------------------------------------------------------------


def test_a_technician_sees_only_their_own_visits(tech_client: Client, technician: Resource) -> None:
    mine = visit_at(technician, day=0, hour=9)
    theirs = visit_at(ResourceFactory(), day=0, hour=10)

    html = tech_client.get(VISITS_URL).content.decode()

    assert mine.reference in html
    assert theirs.reference not in html


def test_today_comes_first_then_tomorrow_each_in_order(
    tech_client: Client, technician: Resource
) -> None:
    tomorrow_early = visit_at(technician, day=1, hour=8)
    today_late = visit_at(technician, day=0, hour=15)
    today_early = visit_at(technician, day=0, hour=7)
    day_after = visit_at(technician, day=2, hour=9)
    yesterday = visit_at(technician, day=-1, hour=9)
    # Still under way from yesterday: listed today, so it can be finished.
    unfinished = visit_at(technician, day=-1, hour=16, status=BookingStatus.IN_PROGRESS)

    html = tech_client.get(VISITS_URL).content.decode()

    today, tomorrow = html.split('id="tomorrow-heading"')
    order = [unfinished, today_early, today_late]
    assert [today.index(b.reference) for b in order] == sorted(
        today.index(b.reference) for b in order
    )
    assert tomorrow_early.reference in tomorrow
    assert tomorrow_early.reference not in today
    assert day_after.reference not in html
    assert yesterday.reference not in html


def test_an_empty_day_says_so(tech_client: Client) -> None:
    html = tech_client.get(VISITS_URL).content.decode()

    assert "No visits today." in html
    assert "No visits tomorrow." in html


def test_a_visit_shows_what_the_technician_needs_at_the_door(
    tech_client: Client, technician: Resource
) -> None:
    account = AccountFactory(name="Avery household", time_zone="America/New_York")
    contact = ContactFactory(
        account=account, first_name="Jordan", last_name="Avery", phone="+13035550142"
    )
    work_order = WorkOrderFactory(
        account=account,
        reported_by=contact,
        asset=AssetFactory(account=account, name="Gas boiler", serial_number="SN-9"),
        incident_type__display_name="Boiler service",
        instructions="Key under the mat.",
    )
    TimelineNoteFactory(work_order=work_order, text="Dog in the garden.", customer_visible=True)
    TimelineNoteFactory(work_order=work_order, text="Owes us money.", customer_visible=False)
    booking = visit_at(technician, day=0, hour=9, work_order=work_order)

    html = tech_client.get(VISITS_URL).content.decode()

    # The window is in the visit's time zone (New York), not the technician's (Denver).
    new_york = timezone.localtime(booking.start, ZoneInfo("America/New_York"))
    assert f"{new_york:%H:%M}–{new_york + timedelta(hours=1):%H:%M} {new_york.tzname()}" in html
    assert "Boiler service" in html
    assert "Avery household (Jordan Avery)" in html
    assert 'href="tel:+13035550142"' in html
    assert "Gas boiler (S/N SN-9)" in html
    assert "Key under the mat." in html
    assert "Dog in the garden." in html
    assert "Owes us money." not in html
    assert 'href="geo:39.739200,-104.990300?q=39.739200,-104.990300(' in html
    assert (
        'href="https://www.google.com/maps/dir/?api=1&amp;destination=39.739200%2C-104.990300"'
        in html
    )


def test_a_visit_without_coordinates_navigates_by_address(
    tech_client: Client, technician: Resource
) -> None:
    work_order = WorkOrderFactory(latitude=None, longitude=None, address_line1="1 Elm Street")
    visit_at(technician, day=0, hour=9, work_order=work_order)

    html = tech_client.get(VISITS_URL).content.decode()

    assert 'href="geo:0,0?q=1%20Elm%20Street' in html
    assert "destination=1+Elm+Street" in html


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (BookingStatus.SCHEDULED, ["On my way"]),
        (BookingStatus.TRAVELING, ["Start work", "Turn back"]),
        (BookingStatus.IN_PROGRESS, ["Complete"]),
        (BookingStatus.COMPLETED, []),
        (BookingStatus.CANCELED, []),
    ],
)
def test_buttons_offer_only_the_allowed_moves(
    tech_client: Client, technician: Resource, status: str, expected: list[str]
) -> None:
    booking = visit_at(technician, day=0, hour=9, status=status)

    html = tech_client.get(VISITS_URL).content.decode()

    assert buttons(html, booking) == expected


def test_complete_asks_for_a_note_for_the_customer(
    tech_client: Client, technician: Resource
) -> None:
    visit_at(technician, day=0, hour=9, status=BookingStatus.IN_PROGRESS)

    html = tech_client.get(VISITS_URL).content.decode()

    assert "Note for the customer (optional)" in html
    assert 'name="completion_note"' in html


@pytest.mark.parametrize(
    ("status", "sharing"),
    [(BookingStatus.TRAVELING, True), (BookingStatus.SCHEDULED, False)],
)
def test_location_sharing_is_offered_only_while_traveling(
    tech_client: Client, technician: Resource, status: str, sharing: bool
) -> None:
    visit_at(technician, day=0, hour=9, status=status)

    html = tech_client.get(VISITS_URL).content.decode()

    assert ("data-location-sharing" in html) is sharing
    assert 'role="status" data-sharing-status' in html
    assert "technician/tech.js" in html


def test_the_visits_page_reads_a_fixed_number_of_queries(
    tech_client: Client, technician: Resource, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for hour in (8, 10, 12, 14):
        booking = visit_at(technician, day=0, hour=hour)
        TimelineNoteFactory(work_order=booking.work_order, customer_visible=True)
    visit_at(technician, day=1, hour=9, status=BookingStatus.TRAVELING)
    PortalSettings.load()

    # User with their technician row (session cached), bookings, their notes, portal settings.
    with django_assert_num_queries(4):
        response = tech_client.get(VISITS_URL)

    assert response.status_code == 200


# --- Moving a visit on -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (BookingStatus.SCHEDULED, BookingStatus.TRAVELING),
        (BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS),
        (BookingStatus.TRAVELING, BookingStatus.SCHEDULED),
        (BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED),
    ],
)
def test_each_move_goes_through_the_status_service(
    tech_client: Client, technician: Resource, start: str, end: str
) -> None:
    booking = visit_at(technician, day=0, hour=9, status=start)

    response = tech_client.post(status_url(booking), {"status": end}, follow=True)

    assert response.redirect_chain[0] == (f"/tech/#visit-{booking.pk}", 302)
    booking.refresh_from_db()
    assert booking.status == end
    change = BookingStatusChange.objects.get(booking=booking, to_status=end)
    assert change.from_status == start
    assert change.changed_by == technician.user
    assert any("done" in message for message in messages_of(response))


def test_complete_keeps_the_note_for_the_customer(
    tech_client: Client, technician: Resource
) -> None:
    booking = visit_at(technician, day=0, hour=9, status=BookingStatus.IN_PROGRESS)

    tech_client.post(
        status_url(booking),
        {"status": BookingStatus.COMPLETED, "completion_note": "Replaced the igniter."},
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    note = TimelineNote.objects.get(work_order=booking.work_order)
    assert note.text == "Replaced the igniter."
    assert note.customer_visible
    assert note.author == technician.user


def test_a_refused_move_shows_the_reason(tech_client: Client, technician: Resource) -> None:
    booking = visit_at(technician, day=0, hour=9)

    response = tech_client.post(
        status_url(booking), {"status": BookingStatus.IN_PROGRESS}, follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        f"Visit {booking.reference}: A Scheduled booking cannot become In Progress; "
        "it can only become Traveling or Canceled."
    ]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED


def test_a_hand_made_post_for_a_finished_visit_is_refused(
    tech_client: Client, technician: Resource
) -> None:
    booking = visit_at(technician, day=0, hour=9, status=BookingStatus.COMPLETED)

    response = tech_client.post(
        status_url(booking), {"status": BookingStatus.TRAVELING}, follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        f"Visit {booking.reference}: A Completed booking cannot change any more, "
        "so it cannot become Traveling."
    ]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


@pytest.mark.parametrize("status", [BookingStatus.CANCELED, "", "teleported"])
def test_moves_the_app_does_not_offer_are_refused(
    tech_client: Client, technician: Resource, status: str
) -> None:
    booking = visit_at(technician, day=0, hour=9, status=BookingStatus.TRAVELING)

    response = tech_client.post(status_url(booking), {"status": status}, follow=True)

    assert messages_of(response) == ["That change is not one the technician app can make."]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TRAVELING


def test_another_technicians_visit_is_not_found(tech_client: Client) -> None:
    theirs = visit_at(ResourceFactory(), day=0, hour=9)

    response = tech_client.post(status_url(theirs), {"status": BookingStatus.TRAVELING})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.SCHEDULED


def test_a_status_change_needs_the_csrf_token(technician: Resource) -> None:
    booking = visit_at(technician, day=0, hour=9)
    client = Client(enforce_csrf_checks=True)
    client.force_login(technician.user)

    response = client.post(status_url(booking), {"status": BookingStatus.TRAVELING})

    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED


@pytest.mark.django_db
def test_a_technician_signing_in_lands_on_their_day(client) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from tests.factories import ResourceFactory, UserFactory

    ResourceFactory(user=UserFactory(email="van@example.test"))

    response = client.post(
        reverse("account_login"),
        {"login": "van@example.test", "password": "correct horse battery staple"},
    )

    assert response["Location"] == reverse("technician:visits")
    assert client.get(reverse("portal:home"))["Location"] == reverse("technician:visits")


def test_on_my_way_to_a_second_visit_asks_to_turn_back_from_the_first(
    tech_client: Client, technician: Resource
) -> None:
    first = visit_at(technician, day=0, hour=9, status=BookingStatus.TRAVELING)
    second = visit_at(technician, day=0, hour=11)

    response = tech_client.post(status_url(second), {"status": BookingStatus.TRAVELING})

    page = response.content.decode()
    assert "You are on your way to another visit" in page
    assert f"Turn back from {first.reference} and set off" in page
    assert f'name="turn_back" value="{first.pk}"' in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.TRAVELING, BookingStatus.SCHEDULED)


def test_turning_back_from_the_first_visit_sets_off_for_the_second(
    tech_client: Client, technician: Resource
) -> None:
    first = visit_at(technician, day=0, hour=9, status=BookingStatus.TRAVELING)
    second = visit_at(technician, day=0, hour=11)

    response = tech_client.post(
        status_url(second),
        {"status": BookingStatus.TRAVELING, "turn_back": str(first.pk)},
        follow=True,
    )

    assert response.redirect_chain[0] == (f"/tech/#visit-{second.pk}", 302)
    assert messages_of(response) == [
        f"Visit {first.reference}: turned back. Visit {second.reference}: On my way: done."
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.SCHEDULED, BookingStatus.TRAVELING)
    assert BookingStatusChange.objects.filter(
        booking=first, to_status=BookingStatus.SCHEDULED
    ).exists()


def test_a_stale_turn_back_asks_again(tech_client: Client, technician: Resource) -> None:
    # The page was for another trip than the one under way now.
    visit_at(technician, day=0, hour=8, status=BookingStatus.COMPLETED)
    first = visit_at(technician, day=0, hour=9, status=BookingStatus.TRAVELING)
    second = visit_at(technician, day=0, hour=11)

    response = tech_client.post(
        status_url(second), {"status": BookingStatus.TRAVELING, "turn_back": "999999"}
    )

    assert f'name="turn_back" value="{first.pk}"' in response.content.decode()
    second.refresh_from_db()
    assert second.status == BookingStatus.SCHEDULED


# --- "On my way" to a visit of another day ------------------------------------------------


def test_on_my_way_to_tomorrows_visit_asks_first_and_changes_nothing(
    tech_client: Client, technician: Resource
) -> None:
    # The evening before, a customer was told "on the way, arriving 20:10".
    booking = visit_at(technician, day=1, hour=9)

    response = tech_client.post(status_url(booking), {"status": BookingStatus.TRAVELING})

    assert response.status_code == 200
    page = response.content.decode()
    assert "This visit is not today" in page
    assert f"Visit {booking.reference} is on {denver_day(1):%A} " in page
    assert 'name="other_day" value="confirmed"' in page
    assert f'href="/tech/#visit-{booking.pk}"' in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED


def test_on_my_way_to_another_days_visit_once_confirmed_sets_off(
    tech_client: Client, technician: Resource
) -> None:
    booking = visit_at(technician, day=1, hour=9)

    response = tech_client.post(
        status_url(booking), {"status": BookingStatus.TRAVELING, "other_day": "confirmed"}
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TRAVELING


def test_on_my_way_to_todays_visit_asks_nothing(tech_client: Client, technician: Resource) -> None:
    booking = visit_at(technician, day=0, hour=23)

    tech_client.post(status_url(booking), {"status": BookingStatus.TRAVELING})

    booking.refresh_from_db()
    assert booking.status == BookingStatus.TRAVELING


def test_finished_visits_fold_their_details_away(tech_client: Client, technician: Resource) -> None:
    done = visit_at(technician, day=0, hour=8, status=BookingStatus.COMPLETED)
    next_one = visit_at(technician, day=0, hour=11)

    page = tech_client.get(VISITS_URL).content.decode()

    def article(booking: Booking) -> str:
        return page.split(f'id="visit-{booking.pk}"', 1)[1].split("</article>", 1)[0]

    assert '<details class="visit__folded"><summary>Visit details</summary>' in article(done)
    assert "<details" not in article(next_one)


# --- Taps answered in place (tech.js) -------------------------------------------------------

IN_PLACE = {"X-Tech-Fragment": "1"}


def test_a_tap_in_place_gets_the_day_back_with_what_happened_and_where_to_focus(
    tech_client: Client, technician: Resource
) -> None:
    booking = visit_at(technician, day=0, hour=23)

    response = tech_client.post(
        status_url(booking), {"status": BookingStatus.TRAVELING}, headers=IN_PLACE
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-focus="visit-{booking.pk}"' in page
    assert f'data-said="Visit {booking.reference}: On my way: done."' in page
    assert 'data-level="success"' in page
    assert "<html" not in page  # only the part of the page that changed
    assert "data-location-sharing" in page  # the sharing box starts sharing
    assert not list(tech_client.get(VISITS_URL).context["messages"])  # nothing left over


def test_a_finished_visit_hands_the_focus_to_the_next_one(
    tech_client: Client, technician: Resource
) -> None:
    done = visit_at(technician, day=0, hour=8, status=BookingStatus.IN_PROGRESS)
    next_one = visit_at(technician, day=0, hour=11)

    response = tech_client.post(status_url(done), {"status": BookingStatus.COMPLETED})
    assert response["Location"] == f"/tech/#visit-{next_one.pk}"
    response = tech_client.post(
        status_url(next_one), {"status": BookingStatus.TRAVELING}, headers=IN_PLACE
    )
    assert f'data-focus="visit-{next_one.pk}"' in response.content.decode()


def test_a_refused_tap_in_place_says_why(tech_client: Client, technician: Resource) -> None:
    booking = visit_at(technician, day=0, hour=8, status=BookingStatus.COMPLETED)

    response = tech_client.post(
        status_url(booking), {"status": BookingStatus.TRAVELING}, headers=IN_PLACE
    )

    assert 'data-level="error"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


def test_the_question_before_setting_off_comes_as_a_fragment_for_a_dialog(
    tech_client: Client, technician: Resource
) -> None:
    first = visit_at(technician, day=0, hour=9, status=BookingStatus.TRAVELING)
    second = visit_at(technician, day=1, hour=11)

    response = tech_client.post(
        status_url(second), {"status": BookingStatus.TRAVELING}, headers=IN_PLACE
    )

    page = response.content.decode()
    assert "data-tap-confirm" in page
    assert '<h2 id="confirm-title"' in page
    assert f'name="turn_back" value="{first.pk}"' in page
    assert 'name="other_day" value="confirmed"' in page
    assert "data-dialog-close" in page
    assert "<html" not in page


@pytest.mark.parametrize(
    ("language", "done"),
    [
        ("es", "Voy de camino: hecho."),
        ("fr", "Je suis en route : fait."),
        ("de", "Bin unterwegs: erledigt."),
        ("ar", "أنا في الطريق: تم."),
    ],
)
def test_what_a_tap_did_is_said_in_the_technicians_language(
    tech_client: Client, technician: Resource, language: str, done: str
) -> None:
    technician.preferred_language = language
    technician.save()
    first = visit_at(technician, day=0, hour=9, status=BookingStatus.TRAVELING)
    second = visit_at(technician, day=0, hour=23)
    response = tech_client.post(
        status_url(second),
        {"status": BookingStatus.TRAVELING, "turn_back": str(first.pk)},
        follow=True,
    )
    [said] = messages_of(response)
    assert done in said
    for english in ("Visit ", "turned back", "done"):
        assert english not in said
