""" "On the way" says when: it waits for the trip's first arrival time, then gives it with
its zone, in minutes too, with the technician's name when shown and the reference;
turning back tells the customer too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import sending
from doorstep.notifications.models import MessageType, Notification, NotificationState
from doorstep.notifications.on_the_way import ARRIVAL_WAIT, tell_arrival
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db


def portal_settings(**values: object) -> None:
    settings = PortalSettings.load()
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()


def messages(booking, message_type: str) -> dict[str, Notification]:  # type: ignore[no-untyped-def]
    return {
        n.channel: n
        for n in Notification.objects.filter(booking=booking, message_type=message_type)
    }


def local(moment, booking) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(booking.time_zone).strftime("%H:%M %Z")


def on_the_way(rows: list[Notification]) -> list[Notification]:
    return [row for row in rows if row.message_type == MessageType.TRAVELING]


def test_setting_off_holds_the_message_until_the_arrival_time_is_known(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    services.set_status(booking=booking, status=BookingStatus.TRAVELING)

    held = messages(booking, MessageType.TRAVELING)
    assert set(held) == {"email", "sms"}
    assert all(row.next_attempt_at > timezone.now() for row in held.values())
    assert not on_the_way(sending.claim(worker="test"))


def test_the_arrival_time_goes_into_the_message_which_goes_at_once(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(show_technician_details=True)
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    now = timezone.now()
    eta = now + timedelta(minutes=12, seconds=30)

    assert tell_arrival(booking=booking, eta=eta, now=now) == 2

    email, sms = messages(booking, "traveling")["email"], messages(booking, "traveling")["sms"]
    when = local(eta, booking)
    assert email.subject == f"Alex R. is on the way, arriving about {when}"
    assert f"Arrival time: about {when}, in 13 minutes." in email.body
    assert f"Reference: {booking.reference}" in email.body
    assert f"Alex R. is on the way, arriving about {when} (13 min). Ref {booking.reference}." in (
        sms.body
    )
    assert {row.pk for row in on_the_way(sending.claim(worker="test", now=now))} == {
        email.pk,
        sms.pk,
    }


def test_the_technicians_name_only_when_the_settings_show_it(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(show_technician_details=False)
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    tell_arrival(booking=booking, eta=timezone.now() + timedelta(minutes=5))

    for row in messages(booking, MessageType.TRAVELING).values():
        assert "Alex" not in row.subject + row.body
        assert "technician is on the way" in row.subject + row.body


def test_without_an_arrival_time_the_message_goes_after_the_wait_without_one(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)

    later = timezone.now() + ARRIVAL_WAIT + timedelta(seconds=1)
    claimed = on_the_way(sending.claim(worker="test", now=later))

    assert {row.channel for row in claimed} == {"email", "sms"}
    email = next(row for row in claimed if row.channel == "email")
    assert "on the way" in email.subject
    assert "Arrival time" not in email.body
    # Once sent, a late arrival time changes nothing.
    assert tell_arrival(booking=booking, eta=later + timedelta(minutes=9), now=later) == 0


def test_setting_off_tracked_end_to_end_sends_the_first_arrival_time(  # type: ignore[no-untyped-def]
    contact, django_capture_on_commit_callbacks
) -> None:
    booking = book(contact)

    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(booking=booking, status=BookingStatus.TRAVELING)

    email = messages(booking, MessageType.TRAVELING)["email"]
    assert "Arrival time: about " in email.body
    assert email.next_attempt_at <= timezone.now()


def test_turning_back_tells_the_customer_the_visit_keeps_its_time(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    tell_arrival(booking=booking, eta=timezone.now() + timedelta(minutes=20))

    services.set_status(booking=booking, status=BookingStatus.SCHEDULED)

    turned_back = messages(booking, MessageType.TURNED_BACK)
    assert set(turned_back) == {"email", "sms"}
    email = turned_back["email"]
    assert email.subject == f"Your technician is no longer on the way ({booking.reference})"
    assert "no longer on the way" in email.body
    assert f"and {local(booking.end, booking)}" in email.body
    assert turned_back["sms"].state == NotificationState.PENDING


def test_turning_back_before_the_customer_was_told_tells_nothing(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)

    services.set_status(booking=booking, status=BookingStatus.SCHEDULED)

    assert not messages(booking, MessageType.TURNED_BACK)
    withdrawn = messages(booking, MessageType.TRAVELING)["email"]
    assert withdrawn.state == NotificationState.SKIPPED
    assert withdrawn.skip_reason == "the technician turned back before it was sent"


def test_setting_off_again_is_a_new_trip_with_its_own_messages(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    for _ in range(2):
        services.set_status(booking=booking, status=BookingStatus.TRAVELING)
        tell_arrival(booking=booking, eta=timezone.now() + timedelta(minutes=20))
        services.set_status(booking=booking, status=BookingStatus.SCHEDULED)

    sent = Notification.objects.filter(booking=booking, channel="email")
    assert sent.filter(message_type=MessageType.TRAVELING).count() == 2
    assert sent.filter(message_type=MessageType.TURNED_BACK).count() == 2


def test_the_turned_back_message_has_its_own_switch(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(notify_turned_back=False)
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    tell_arrival(booking=booking, eta=timezone.now() + timedelta(minutes=20))

    services.set_status(booking=booking, status=BookingStatus.SCHEDULED)

    assert not messages(booking, MessageType.TURNED_BACK)


@pytest.mark.parametrize("language", ["en", "es"])
def test_arriving_before_the_arrival_time_withdraws_on_the_way_saying_why_in_one_sentence(
    contact, language: str
) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)

    # Whoever sets the status, in whatever language, the log reads one sentence.
    with translation.override(language):
        services.set_status(booking=booking, status=BookingStatus.IN_PROGRESS)

    withdrawn = messages(booking, MessageType.TRAVELING)["email"]
    assert withdrawn.state == NotificationState.SKIPPED
    assert withdrawn.skip_reason == "the technician arrived before it was sent"
