"""The calendar files messages carry: the company organizes, the recipient attends, and
SEQUENCE counts each visit's versions 0, 1, 2…; a download says the last one sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.models import MessageType, Notification
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db


def event_of(ics: str):  # type: ignore[no-untyped-def]
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event


def emails(booking: Booking, message_type: str) -> list[Notification]:
    return list(
        Notification.objects.filter(
            booking=booking, message_type=message_type, channel="email"
        ).order_by("pk")
    )


def move(booking: Booking, hours: int) -> None:
    booking.refresh_from_db()
    shift = timedelta(hours=hours)
    services.reschedule(booking=booking, start=booking.start + shift, end=booking.end + shift)


def test_requests_and_cancels_name_the_company_as_organizer_and_the_recipient_as_attendee(
    contact,  # type: ignore[no-untyped-def]
) -> None:
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.contact_email = "office@frontrange.test"
    portal.save()
    booking = book(contact)
    move(booking, 2)
    services.set_status(booking=booking, status=BookingStatus.CANCELED, cancel_reason="No need")

    for message_type, method in [
        (MessageType.CONFIRMED, "REQUEST"),
        (MessageType.RESCHEDULED, "REQUEST"),
        (MessageType.CANCELED, "CANCEL"),
    ]:
        [email] = emails(booking, message_type)
        calendar = Calendar.from_ical(email.calendar)
        event = event_of(email.calendar)
        assert calendar["METHOD"] == method
        assert str(event["ORGANIZER"]) == "mailto:office@frontrange.test"
        assert event["ORGANIZER"].params["CN"] == "Front Range Comfort Co."
        assert str(event["ATTENDEE"]) == f"mailto:{email.address}"
        assert event["ATTENDEE"].params["CN"] == contact.full_name


def test_the_sequence_counts_each_visits_versions_from_zero(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    other = book(contact)
    move(booking, 2)
    move(booking, 3)
    services.set_status(booking=booking, status=BookingStatus.CANCELED, cancel_reason="No need")

    sent = sorted(
        Notification.objects.filter(booking=booking, channel="email").exclude(calendar=""),
        key=lambda row: row.pk,
    )
    assert [int(event_of(row.calendar)["SEQUENCE"]) for row in sent] == [0, 1, 2, 3]
    assert [int(event_of(row.calendar)["SEQUENCE"]) for row in emails(other, "confirmed")] == [0]


def test_a_download_carries_the_last_sequence_sent(client, contact) -> None:  # type: ignore[no-untyped-def]
    from doorstep.users.models import User

    booking = book(contact)
    move(booking, 2)
    user = User.objects.create_user(email=contact.email, password="a long password 123")
    contact.user = user
    contact.save()
    client.force_login(user)

    answer = client.get(reverse("portal:calendar", args=[booking.pk]))

    assert answer.status_code == 200
    event = event_of(answer.content.decode())
    assert int(event["SEQUENCE"]) == 1
    assert "ORGANIZER" in event


def test_the_canceled_message_offers_the_booking_page_not_the_canceled_visit(
    contact,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.DOORSTEP_BASE_URL = "https://portal.frontrange.test"
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.CANCELED, cancel_reason="No need")

    for row in Notification.objects.filter(booking=booking, message_type=MessageType.CANCELED):
        assert "https://portal.frontrange.test/book/" in row.body
        assert "[visit link]" not in row.body


@pytest.mark.parametrize(
    ("language", "description"),
    [
        ("en", "The technician arrives during this time window."),
        ("de", "Der Techniker kommt in diesem Zeitfenster."),
        ("ar", "يصل الفني خلال هذه الفترة الزمنية."),
    ],
)
def test_the_calendar_file_speaks_the_language_of_its_email(
    contact, language: str, description: str
) -> None:  # type: ignore[no-untyped-def]
    contact.preferred_language = language
    contact.save()
    booking = book(contact)

    [email] = emails(booking, MessageType.CONFIRMED)

    event = event_of(email.calendar)
    assert str(event["DESCRIPTION"]).endswith(description)
    assert booking.reference in str(event["DESCRIPTION"])
