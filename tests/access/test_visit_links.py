"""Visit links: random codes kept as hashes, valid until a week after the visit; staff controls."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from doorstep.access import visit_links
from doorstep.access.models import VisitLink, VisitLinkState
from doorstep.access.visit_links import VisitLinkRefused
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange
from doorstep.users.models import User
from tests.factories import BookingFactory, ContactFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
TICK = timedelta(microseconds=1)


def booking_with(status: str = BookingStatus.SCHEDULED, **fields: object) -> Booking:
    booking: Booking = BookingFactory(
        start=T0, end=T0 + timedelta(hours=2), status=status, **fields
    )
    return booking


def completed_booking(at: datetime) -> Booking:
    return booking_with(BookingStatus.COMPLETED, completed_at=at)


def canceled_booking(at: datetime) -> Booking:
    booking = booking_with(BookingStatus.CANCELED, cancel_reason="Fixed it ourselves")
    BookingStatusChange.objects.create(
        booking=booking,
        from_status=BookingStatus.SCHEDULED,
        to_status=BookingStatus.CANCELED,
        changed_at=at,
    )
    return booking


def issued(booking: Booking, *, now: datetime = T0 - timedelta(days=3)) -> tuple[str, VisitLink]:
    code = visit_links.issue_visit_link(booking=booking, now=now)
    return code, VisitLink.objects.with_expiry().get(code_hash=visit_links.hash_visit_code(code))


def works(code: str, at: datetime) -> bool:
    return visit_links.find_valid_link(code, now=at) is not None


# --- Issuing ---------------------------------------------------------------------------


def test_only_the_hash_of_the_code_is_stored() -> None:
    contact = ContactFactory()
    booking = booking_with(work_order__account=contact.account)

    code = visit_links.issue_visit_link(booking=booking, contact=contact, now=T0)

    link = VisitLink.objects.get()
    assert link.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert (link.booking, link.contact, link.created_at) == (booking, contact, T0)
    assert link.valid_until is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_visitlink")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert not any(code in value for value in stored)


def test_a_code_carries_at_least_128_random_bits_and_fits_in_a_url() -> None:
    booking = booking_with()

    codes = {visit_links.issue_visit_link(booking=booking) for _ in range(20)}

    assert len(codes) == 20
    for code in codes:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        assert len(raw) * 8 >= 128
        assert code.replace("-", "").replace("_", "").isalnum()


def test_codes_that_differ_only_in_case_are_different_codes() -> None:
    # The helpers for typed codes forgive case; a visit code must not, or its bits are lost.
    code, _ = issued(booking_with())

    assert works(code, T0)
    assert code.swapcase() != code
    assert not works(code.swapcase(), T0)


@override_settings(DOORSTEP_BASE_URL="https://portal.example.test/")
def test_the_link_is_the_portal_address_and_the_code() -> None:
    assert visit_links.visit_link_url("abc_DEF-123") == "https://portal.example.test/t/abc_DEF-123/"


def test_a_link_for_another_accounts_contact_is_refused() -> None:
    booking = booking_with()
    stranger = ContactFactory()

    with pytest.raises(VisitLinkRefused, match="not a contact of"):
        visit_links.issue_visit_link(booking=booking, contact=stranger)
    assert not VisitLink.objects.exists()


# --- How long a link works -----------------------------------------------------------


@pytest.mark.parametrize(
    "status", [BookingStatus.SCHEDULED, BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS]
)
def test_a_link_to_an_open_visit_works_however_long_it_waits(status: str) -> None:
    code, link = issued(booking_with(status))

    assert link.expires_at is None
    assert link.state(T0 + timedelta(days=400)) == VisitLinkState.VALID
    assert works(code, T0 + timedelta(days=400))


def test_a_link_works_until_7_days_after_the_visit_is_completed() -> None:
    done = T0 + timedelta(hours=1, minutes=40)
    code, link = issued(completed_booking(done))

    assert link.expires_at == done + WEEK
    assert works(code, done + WEEK - TICK)
    assert not works(code, done + WEEK)
    assert link.state(done + WEEK) == VisitLinkState.EXPIRED


def test_a_link_works_until_7_days_after_the_visit_is_canceled() -> None:
    canceled = T0 - timedelta(days=1, hours=3)
    code, link = issued(canceled_booking(canceled), now=canceled - timedelta(days=2))

    assert link.expires_at == canceled + WEEK
    assert link.booking_canceled_at == canceled
    assert works(code, canceled + WEEK - TICK)
    assert not works(code, canceled + WEEK)


def test_the_week_runs_from_the_latest_cancellation_time() -> None:
    booking = canceled_booking(T0)
    BookingStatusChange.objects.create(
        booking=booking, from_status="", to_status=BookingStatus.CANCELED, changed_at=T0 - WEEK
    )
    _, link = issued(booking)

    assert link.expires_at == T0 + WEEK


def test_a_booking_canceled_without_a_status_change_counts_from_its_last_edit() -> None:
    booking = booking_with(BookingStatus.CANCELED)
    _, link = issued(booking)

    assert link.expires_at == booking.updated_at + WEEK


def test_an_end_set_by_staff_wins_over_the_default() -> None:
    booking = booking_with()
    code, link = issued(booking)
    VisitLink.objects.filter(pk=link.pk).update(valid_until=T0)

    assert works(code, T0 - TICK)
    assert not works(code, T0)


# --- Finding a link ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "not-a-code", "x" * 500])
def test_an_unknown_code_finds_nothing(code: str) -> None:
    issued(booking_with())
    assert visit_links.find_valid_link(code) is None


def test_the_visit_comes_with_the_link_in_one_query() -> None:
    code, _ = issued(booking_with())

    with CaptureQueriesContext(connection) as queries:
        link = visit_links.find_valid_link(code, now=T0)
        assert link is not None
        work_order = link.booking.work_order
        seen = (
            work_order.account.time_zone,
            work_order.incident_type.display_name,
            link.booking.resource.display_name,
            work_order.asset,
        )
    assert all(part is not None for part in seen[:3])
    assert len(queries) == 1


# --- Extend -------------------------------------------------------------------------------


def test_extend_moves_the_end_later() -> None:
    done = T0 + timedelta(hours=2)
    code, link = issued(completed_booking(done))

    changed = visit_links.extend(link=link, until=done + 3 * WEEK, now=done + WEEK + TICK)

    assert changed.valid_until == done + 3 * WEEK == changed.expires_at
    assert link.expires_at == done + 3 * WEEK  # the caller's copy follows
    assert works(code, done + 3 * WEEK - TICK)
    assert not works(code, done + 3 * WEEK)


def test_extend_into_the_past_is_refused() -> None:
    _, link = issued(completed_booking(T0))

    with pytest.raises(VisitLinkRefused, match="in the future"):
        visit_links.extend(link=link, until=T0 + WEEK, now=T0 + 2 * WEEK)


def test_extend_to_an_earlier_end_is_refused() -> None:
    _, link = issued(completed_booking(T0))

    with pytest.raises(VisitLinkRefused, match="later than"):
        visit_links.extend(link=link, until=T0 + timedelta(days=3), now=T0)
    link.refresh_from_db()
    assert link.valid_until is None


def test_extend_is_refused_for_a_link_that_has_no_end_yet() -> None:
    _, link = issued(booking_with())

    with pytest.raises(VisitLinkRefused, match="no end yet"):
        visit_links.extend(link=link, until=T0 + WEEK, now=T0)


def test_an_expired_link_can_be_extended_again() -> None:
    code, link = issued(booking_with())
    visit_links.expire_now(link=link, now=T0)

    visit_links.extend(link=link, until=T0 + WEEK, now=T0 + timedelta(hours=1))

    assert works(code, T0 + timedelta(days=6))


# --- Expire now ---------------------------------------------------------------------------


def test_expire_now_ends_the_link_at_once() -> None:
    code, link = issued(booking_with())

    visit_links.expire_now(link=link, now=T0)

    assert not works(code, T0)
    link.refresh_from_db()
    assert link.valid_until == T0
    assert link.blocked_at is None


def test_expire_now_is_refused_for_a_link_that_has_expired() -> None:
    _, link = issued(completed_booking(T0))

    with pytest.raises(VisitLinkRefused, match="expired already"):
        visit_links.expire_now(link=link, now=T0 + 2 * WEEK)


# --- Block --------------------------------------------------------------------------------


def test_block_stops_the_link_for_good_and_remembers_who() -> None:
    staff: User = StaffUserFactory()
    code, link = issued(booking_with())

    visit_links.block(link=link, by=staff, now=T0)

    assert not works(code, T0)
    link.refresh_from_db()
    assert (link.blocked_at, link.blocked_by) == (T0, staff)
    with pytest.raises(VisitLinkRefused, match="stays blocked"):
        visit_links.extend(link=link, until=T0 + 5 * WEEK, now=T0)
    with pytest.raises(VisitLinkRefused, match="blocked already"):
        visit_links.expire_now(link=link, now=T0)
    with pytest.raises(VisitLinkRefused, match="blocked already"):
        visit_links.block(link=link, now=T0)


def test_blocking_one_link_leaves_the_others_of_the_visit_working() -> None:
    booking = booking_with()
    blocked_code, blocked = issued(booking)
    other_code, _ = issued(booking)

    visit_links.block(link=blocked, now=T0)

    assert not works(blocked_code, T0)
    assert works(other_code, T0)


def test_the_queryset_states_agree_with_each_link() -> None:
    _, valid = issued(booking_with())
    _, expired = issued(completed_booking(T0 - 2 * WEEK))
    _, blocked = issued(booking_with())
    visit_links.block(link=blocked, now=T0)

    links = VisitLink.objects.with_expiry()
    assert set(VisitLink.objects.valid(T0)) == {valid}
    assert set(VisitLink.objects.expired(T0)) == {expired}
    assert set(VisitLink.objects.blocked()) == {blocked}
    assert {link.pk: link.state(T0) for link in links} == {
        valid.pk: VisitLinkState.VALID,
        expired.pk: VisitLinkState.EXPIRED,
        blocked.pk: VisitLinkState.BLOCKED,
    }
