"""The visit link page `/t/<code>/` and the back office's list of codes.

The page shows one visit by its state without signing in, answers one "not available"
page for every code that does not open a visit, keeps the code out of Referers and
search engines, loads nothing from other sites, writes nothing, and is rate-limited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from doorstep.access import visit_links
from doorstep.access.models import VisitLink
from doorstep.configuration.models import PortalSettings
from doorstep.portal import visit_link_views
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange
from doorstep.users.models import User
from tests.factories import (
    BookingFactory,
    ContactFactory,
    ResourceFactory,
    UserFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db

# 16:00 UTC is 09:00 in Denver (MST), where the test accounts are.
START = datetime(2031, 1, 14, 16, 0, tzinfo=UTC)
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture(autouse=True)
def portal() -> Iterator[PortalSettings]:
    # The settings row exists in a running portal; made here so no test counts its creation.
    settings = PortalSettings.load()
    settings.company_name = "Front Range Heating"
    settings.save()
    cache.clear()  # the rate limit's counters
    yield settings
    cache.clear()


def visit(status: str = BookingStatus.SCHEDULED, **fields: object) -> Booking:
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(
            incident_type__name="BOILER-SVC-2",
            incident_type__display_name="Boiler service",
            address_line1="1420 Larimer Street",
        ),
        resource=ResourceFactory(display_name="Alex R."),
        start=START,
        end=START + timedelta(hours=2),
        status=status,
        reference="K7Q2M9",
        **fields,
    )
    return booking


def link_to(booking: Booking) -> str:
    """The visit link's path, as a message carries it."""
    return reverse("visit_link", args=[visit_links.issue_visit_link(booking=booking)])


def code_of(path: str) -> str:
    return path.strip("/").split("/")[1]


def markup(response: HttpResponse) -> str:
    return " ".join(response.content.decode().split())


def text(response: HttpResponse) -> str:
    """What a person reads: the page without its tags."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", markup(response))).split())


def assert_private(response: HttpResponse) -> None:
    for header, value in PRIVATE_HEADERS.items():
        assert response[header] == value, header
    assert "no-store" in response["Cache-Control"]


# --- What the page shows, by state -----------------------------------------------------


def test_a_scheduled_visit_shows_what_when_where_and_what_to_do(client: Client) -> None:
    booking = visit()
    path = link_to(booking)

    response = client.get(path)

    assert response.status_code == 200
    page = text(response)
    assert "Your upcoming visit" in page
    assert "K7Q2M9" in page
    assert "Boiler service" in page
    assert "BOILER-SVC-2" not in page
    assert "Tuesday 14 January 2031" in page
    assert re.search(r"09:00\W+11:00 MST", page)
    assert "1420 Larimer Street" in page
    assert "Open in maps" in page
    assert "Add to calendar" in page
    assert "Sign in to move or cancel" in page
    html = markup(response)
    assert 'href="https://www.openstreetmap.org/?mlat=39.739200&amp;mlon=-104.990300' in html
    assert f'href="{path}calendar.ics"' in html
    # After signing in, the visit's own page: it offers both moving and canceling.
    visit_page = reverse("portal:confirmation", args=[booking.pk])
    assert f'href="{reverse("account_login")}?next={quote(visit_page, safe="")}"' in html


def test_a_visit_without_coordinates_has_no_map_link(client: Client) -> None:
    booking = visit()
    booking.work_order.latitude = booking.work_order.longitude = None
    booking.work_order.save()

    response = client.get(link_to(booking))

    assert "openstreetmap" not in markup(response)
    assert "1420 Larimer Street" in text(response)


def test_traveling_shows_the_technician_on_the_way(client: Client) -> None:
    booking = visit(BookingStatus.TRAVELING)
    booking.resource.photo.save("alex.png", ContentFile(b"not really a png"))

    response = client.get(link_to(booking))

    page = text(response)
    assert "Your technician is on the way" in page
    assert "Alex R. is on the way to you." in page
    assert f'src="{booking.resource.photo.url}"' in markup(response)
    assert "Sign in to move or cancel" not in page


def test_traveling_keeps_the_technician_anonymous_when_details_are_off(
    client: Client, portal: PortalSettings
) -> None:
    portal.show_technician_details = False
    portal.save()
    booking = visit(BookingStatus.TRAVELING)

    page = text(client.get(link_to(booking)))

    assert "Your technician is on the way" in page
    assert "Alex R." not in page


def test_in_progress_says_the_technician_has_arrived(client: Client) -> None:
    page = text(client.get(link_to(visit(BookingStatus.IN_PROGRESS))))

    assert "Your technician has arrived" in page
    assert "Alex R. has arrived" in page


def test_completed_shows_the_completion_time_and_the_feedback_link(client: Client) -> None:
    booking = visit(BookingStatus.COMPLETED, completed_at=START + timedelta(hours=1, minutes=35))

    response = client.get(link_to(booking))

    page = text(response)
    assert "Your visit is complete" in page
    assert "Completed on Tuesday 14 January 2031 at 10:35 MST" in page
    assert "Rate your visit" in page
    assert "Sign in" not in page
    survey = reverse("portal:visit_link_feedback", args=[code_of(response.request["PATH_INFO"])])
    assert f'href="{survey}"' in markup(response)


def test_a_completion_in_the_repeated_hour_says_which_one(client: Client) -> None:
    # 08:30 UTC on 3 November 2030 is 01:30 in Denver for the second time that night.
    booking = visit(BookingStatus.COMPLETED, completed_at=datetime(2030, 11, 3, 8, 30, tzinfo=UTC))

    assert "Completed on Sunday 3 November 2030 at 01:30 MST" in text(client.get(link_to(booking)))


def test_completed_offers_no_feedback_when_surveys_are_off(
    client: Client, portal: PortalSettings
) -> None:
    portal.include_survey = False
    portal.save()
    booking = visit(BookingStatus.COMPLETED, completed_at=START + timedelta(hours=1))

    response = client.get(link_to(booking))

    assert "Your visit is complete" in text(response)
    assert "feedback" not in markup(response).lower()


def test_canceled_shows_the_cancellation_and_its_reason(client: Client) -> None:
    booking = visit(BookingStatus.CANCELED, cancel_reason="The boiler works again")
    BookingStatusChange.objects.create(
        booking=booking,
        from_status=BookingStatus.SCHEDULED,
        to_status=BookingStatus.CANCELED,
        changed_at=START - timedelta(days=1, hours=2),
    )

    page = text(client.get(link_to(booking)))

    assert "Your visit was canceled" in page
    assert "canceled on Monday 13 January 2031 at 07:00 MST" in page
    assert "The boiler works again" in page
    assert "Add to calendar" not in page


def test_the_calendar_file_is_the_visit(client: Client) -> None:
    path = link_to(visit())

    response = client.get(f"{path}calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="visit-K7Q2M9.ics"' in response["Content-Disposition"]
    body = response.content.decode()
    assert "SUMMARY:Boiler service – Front Range Heating" in body
    assert "DTSTART:20310114T160000Z" in body


# --- Codes that open nothing --------------------------------------------------------------


def test_unknown_expired_and_blocked_codes_get_the_same_404(client: Client) -> None:
    expired = link_to(visit(BookingStatus.COMPLETED, completed_at=timezone.now() - timedelta(8)))
    other = BookingFactory()
    blocked = link_to(other)
    visit_links.block(link=VisitLink.objects.get(booking=other))
    unknown = reverse("visit_link", args=["Zm9yZ2VkLWNvZGUtdGhhdC1pcy1sb25n"])

    answers = [client.get(path) for path in (unknown, expired, blocked)]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert answers[0].content == answers[1].content == answers[2].content
    assert "This link is not available" in text(answers[0])
    assert "K7Q2M9" not in text(answers[1])
    for answer in answers:
        assert_private(answer)


def test_a_code_stops_working_as_soon_as_it_is_blocked(client: Client) -> None:
    booking = visit()
    path = link_to(booking)
    assert client.get(path).status_code == 200

    visit_links.block(link=VisitLink.objects.get(booking=booking))

    assert client.get(path).status_code == 404
    assert client.get(f"{path}calendar.ics").status_code == 404


# --- What every answer promises -----------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.SCHEDULED,
        BookingStatus.TRAVELING,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
        BookingStatus.CANCELED,
    ],
)
def test_every_answer_is_private_and_opening_it_writes_nothing(client: Client, status: str) -> None:
    extra = {"completed_at": START} if status == BookingStatus.COMPLETED else {}
    path = link_to(visit(status, **extra))
    missing = reverse("visit_link", args=["nothing-here"])

    with CaptureQueriesContext(connection) as queries:
        answers = [
            client.get(path),
            client.get(f"{path}calendar.ics"),
            client.get(missing),
            client.get(f"{missing}calendar.ics"),
            client.head(path),
        ]

    assert [answer.status_code for answer in answers] == [200, 200, 404, 404, 200]
    for answer in answers:
        assert_private(answer)
    writes = [query["sql"] for query in queries if WRITES.match(query["sql"])]
    assert writes == []


def test_only_reading_is_allowed(client: Client) -> None:
    path = link_to(visit())

    response = client.post(path)

    assert response.status_code == 405
    assert_private(response)


def test_opening_it_signed_in_writes_nothing_either(client: Client) -> None:
    contact = ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())
    client.force_login(contact.user)
    path = link_to(visit(work_order__account=contact.account))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)

    assert response.status_code == 200
    assert [q["sql"] for q in queries if WRITES.match(q["sql"])] == []


def test_the_page_loads_nothing_from_other_sites(client: Client) -> None:
    booking = visit(BookingStatus.TRAVELING)
    booking.resource.photo.save("alex.png", ContentFile(b"png"))

    html = client.get(link_to(booking)).content.decode()

    loaded = re.findall(r"<(?:img|script|link|iframe|source|video|audio)\b[^>]*>", html)
    assert loaded
    for tag in loaded:
        for address in re.findall(r'(?:src|href)="([^"]*)"', tag):
            assert address.startswith("/"), tag
            assert not address.startswith("//"), tag
    # The live map's scripts are the project's own; the only other load is map tiles,
    # requested by the script from the configured tile server with no referrer.
    for script in re.findall(r"<script\b[^>]*\bsrc=\"([^\"]*)\"", html):
        assert script.startswith(("/static/", "/jsi18n/")), script
    # Nothing to send but the language switch's choice.
    assert re.findall(r"<form\b[^>]*\baction=\"([^\"]*)\"", html) == ["/language/"]


def test_the_page_reads_the_visit_and_the_settings_and_nothing_else(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    path = link_to(visit(BookingStatus.COMPLETED, completed_at=START))

    # The link with its visit, and the portal settings; a completed visit also reads what
    # it left behind (its record, photos, documents and reports), one query each.
    with django_assert_num_queries(6):
        client.get(path)


# --- Rate limit -----------------------------------------------------------------------------


def test_too_many_requests_from_one_address_get_a_429(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visit_link_views, "_clock", lambda: 1_900_000_040.0)  # 20 s into a minute
    path = link_to(visit())

    answers = [client.get(path) for _ in range(visit_link_views.RATE_LIMIT)]
    refused = client.get(f"{path}calendar.ics")

    assert {answer.status_code for answer in answers} == {200}
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert "Please wait a moment" in text(refused)
    assert "K7Q2M9" not in text(refused)
    assert_private(refused)
    # Another address is not held back, and the next minute starts afresh.
    assert client.get(path, REMOTE_ADDR="192.0.2.7").status_code == 200
    monkeypatch.setattr(visit_link_views, "_clock", lambda: 1_900_000_080.0)
    assert client.get(path).status_code == 200


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_saw(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visit_link_views, "RATE_LIMIT", 2)
    monkeypatch.setattr(visit_link_views, "_clock", lambda: 1_900_000_020.0)
    path = link_to(visit())

    def from_client(address: str, claimed: str = "203.0.113.9") -> int:
        forwarded = f"{claimed}, {address}"
        return client.get(path, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [from_client("198.51.100.1", claimed=f"10.0.0.{n}") for n in range(3)] == [
        200,
        200,
        429,
    ]
    assert from_client("198.51.100.2") == 200


# --- The back office ------------------------------------------------------------------------

ADMIN_LIST = reverse("admin:access_visitlink_changelist")


@pytest.fixture
def codes() -> dict[str, tuple[str, VisitLink]]:
    """One valid code with no end yet, one with an end, one expired and one blocked."""
    contact = ContactFactory(first_name="Robin", last_name="Okafor", email="robin@example.test")
    made: dict[str, tuple[str, VisitLink]] = {}
    now = timezone.now()
    for name, status, completed_at in (
        ("open", BookingStatus.SCHEDULED, None),
        ("ending", BookingStatus.COMPLETED, now - timedelta(days=2)),
        ("expired", BookingStatus.COMPLETED, now - timedelta(days=10)),
        ("blocked", BookingStatus.SCHEDULED, None),
    ):
        booking = BookingFactory(
            work_order=WorkOrderFactory(account=contact.account),
            status=status,
            completed_at=completed_at,
            reference=f"R{name.upper()[:5]}",
        )
        code = visit_links.issue_visit_link(booking=booking, contact=contact)
        made[name] = (code, VisitLink.objects.get(booking=booking))
    visit_links.block(link=made["blocked"][1])
    return made


def listed(client: Client, query: str = "") -> str:
    response = client.get(f"{ADMIN_LIST}{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_each_codes_booking_recipient_state_and_end(
    staff_client: Client, codes: dict[str, tuple[str, VisitLink]]
) -> None:
    page = listed(staff_client)

    assert "Booking notification codes" in page
    for reference in ("ROPEN", "RENDIN", "REXPIR", "RBLOCK"):
        assert reference in page
    assert "Robin Okafor &lt;robin@example.test&gt;" in page
    assert ">Valid<" in page
    assert ">Expired<" in page
    assert ">Blocked<" in page
    assert "7 days after the visit is completed or canceled" in page
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d M[SD]T", page)  # Denver time
    for code, link in codes.values():
        assert code not in page
        assert link.code_hash not in page


def test_staff_filter_codes_by_state_and_booking_status_and_search_them(
    staff_client: Client, codes: dict[str, tuple[str, VisitLink]]
) -> None:
    valid = listed(staff_client, "?state=valid")
    assert "ROPEN" in valid
    assert "RENDIN" in valid
    assert "REXPIR" not in valid
    assert "RBLOCK" not in valid
    expired = listed(staff_client, "?state=expired")
    assert "REXPIR" in expired
    assert "ROPEN" not in expired
    blocked = listed(staff_client, "?state=blocked")
    assert "RBLOCK" in blocked
    assert "ROPEN" not in blocked
    completed = listed(staff_client, "?booking_status=completed")
    assert "RENDIN" in completed
    assert "ROPEN" not in completed
    by_reference = listed(staff_client, "?q=RENDIN")
    assert "RENDIN" in by_reference
    assert "ROPEN" not in by_reference
    assert "RBLOCK" in listed(staff_client, "?q=Robin+Okafor")
    assert "RBLOCK" not in listed(staff_client, "?q=Somebody+Else")


def run_action(client: Client, action: str, *links: VisitLink, **extra: str) -> list[str]:
    response = client.post(
        ADMIN_LIST,
        {"action": action, "_selected_action": [link.pk for link in links], **extra},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_extend_by_7_days_from_the_list(
    staff_client: Client, codes: dict[str, tuple[str, VisitLink]]
) -> None:
    ending, expired, open_ = codes["ending"][1], codes["expired"][1], codes["open"][1]
    before = VisitLink.objects.with_expiry().get(pk=ending.pk).expires_at
    assert before is not None

    said = run_action(staff_client, "extend_by_7_days", ending, expired, open_)

    assert said[0] == "2 codes extended by 7 days."
    assert said[1].startswith("1 code left as they were: This code has no end yet")
    assert VisitLink.objects.get(pk=ending.pk).valid_until == before + timedelta(days=7)
    now = timezone.now()
    assert VisitLink.objects.with_expiry().get(pk=expired.pk).state(now) == "valid"
    assert VisitLink.objects.get(pk=open_.pk).valid_until is None


def test_expire_now_and_block_from_the_list(
    staff_client: Client, staff_user: User, codes: dict[str, tuple[str, VisitLink]]
) -> None:
    open_code, open_ = codes["open"]
    ending_code, ending = codes["ending"]

    said = run_action(staff_client, "expire_now", open_, codes["blocked"][1])
    assert said == ["1 code expired.", "1 code left as they were: This code is blocked already."]
    assert visit_links.find_valid_link(open_code) is None

    said = run_action(staff_client, "block", ending, post="yes")  # confirmed
    assert said == ["1 code blocked."]
    assert visit_links.find_valid_link(ending_code) is None
    assert VisitLink.objects.get(pk=ending.pk).blocked_by == staff_user


def test_a_codes_page_offers_its_changes_as_buttons_and_never_the_code(
    staff_client: Client, codes: dict[str, tuple[str, VisitLink]]
) -> None:
    code, link = codes["ending"]
    page_url = reverse("admin:access_visitlink_change", args=[link.pk])

    page = staff_client.get(page_url).content.decode()

    assert code not in page
    assert link.code_hash not in page
    # The buttons post the page's own form (with its CSRF token) to their own address.
    form = page[
        page.index('id="visitlink_form"') : page.index("</form>", page.index('id="visitlink_form"'))
    ]
    assert "csrfmiddlewaretoken" in form
    for name, label in (
        ("extend", "Extend by 7 days"),
        ("expire", "Expire now"),
        ("block", "Block…"),
    ):
        action = reverse(f"admin:access_visitlink_{name}", args=[link.pk])
        assert f'formaction="{action}">{label}</button>' in form

    response = staff_client.post(
        reverse("admin:access_visitlink_block", args=[link.pk]), {"post": "yes"}, follow=True
    )

    assert response.redirect_chain[-1][0] == page_url
    assert "1 code blocked." in [str(m) for m in response.context["messages"]]
    assert visit_links.find_valid_link(code) is None
    assert "Blocked codes stay blocked." in response.content.decode()


def test_staff_who_may_only_look_cannot_change_codes(
    client: Client, codes: dict[str, tuple[str, VisitLink]]
) -> None:
    link = codes["open"][1]
    reader: User = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_visitlink"))
    client.force_login(reader)

    page = client.get(reverse("admin:access_visitlink_change", args=[link.pk]))
    refused = client.post(reverse("admin:access_visitlink_block", args=[link.pk]))

    assert page.status_code == 200
    assert "formaction" not in page.content.decode()
    assert 'name="action"' not in listed(client)
    assert refused.status_code == 403
    assert VisitLink.objects.get(pk=link.pk).blocked_at is None


def test_the_one_code_buttons_only_answer_a_post(
    staff_client: Client, codes: dict[str, tuple[str, VisitLink]]
) -> None:
    link = codes["open"][1]

    response = staff_client.get(reverse("admin:access_visitlink_block", args=[link.pk]))

    assert response.status_code == 405
    assert VisitLink.objects.get(pk=link.pk).blocked_at is None


def test_codes_are_not_added_or_deleted_in_the_back_office(staff_client: Client) -> None:
    assert staff_client.get(reverse("admin:access_visitlink_add")).status_code == 403
    assert 'value="delete_selected"' not in listed(staff_client)
