"""Messages are outbox rows written with the change that causes them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from doorstep.access.invitations import invite_contact
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.history import services as history_services
from doorstep.history.models import Document, DocumentType
from doorstep.notifications import outbox
from doorstep.notifications.models import MessageType, Notification, NotificationState
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource
from tests.history import images
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db


def portal_settings(**values: object) -> PortalSettings:
    settings = PortalSettings.load()
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def messages(booking, message_type: str) -> dict[str, Notification]:  # type: ignore[no-untyped-def]
    return {
        n.channel: n
        for n in Notification.objects.filter(booking=booking, message_type=message_type)
    }


def test_a_portal_booking_writes_its_confirmation_by_email_and_sms(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    sent = messages(booking, MessageType.CONFIRMED)

    assert set(sent) == {"email", "sms"}
    email, sms = sent["email"], sent["sms"]
    assert email.state == sms.state == NotificationState.PENDING
    assert email.address == "pat@example.test"
    assert sms.address == "+13035550101"
    assert booking.reference in email.subject
    assert "Boiler service" in email.body
    assert "Hello Pat" in email.body
    local = timezone.localtime(booking.start, booking.time_zone)
    assert f"between {local:%H:%M}" in email.body
    assert "<html" in email.body_html
    assert "METHOD:REQUEST" in email.calendar
    assert f"UID:visit-{booking.reference}@" in email.calendar
    assert len(sms.body) <= 306  # two SMS segments at most
    assert "[visit link]" in sms.body


def test_an_office_booking_sends_no_confirmation(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact, source=WorkOrderSource.BACK_OFFICE)

    assert not Notification.objects.filter(booking=booking).exists()


def test_the_rows_share_the_fate_of_the_booking(contact) -> None:  # type: ignore[no-untyped-def]
    def book_then_fail() -> None:
        with transaction.atomic():
            book(contact)
            raise RuntimeError("the request failed after booking")

    with pytest.raises(RuntimeError):
        book_then_fail()

    assert not Notification.objects.exists()


def test_rescheduled_and_canceled_need_an_earlier_confirmation(contact) -> None:  # type: ignore[no-untyped-def]
    office = book(contact, source=WorkOrderSource.BACK_OFFICE)
    services.reschedule(
        booking=office, start=office.start + timedelta(days=1), end=office.end + timedelta(days=1)
    )
    services.set_status(booking=office, status=BookingStatus.CANCELED, cancel_reason="Not needed")
    assert not Notification.objects.filter(booking=office).exists()

    told = book(contact)
    services.reschedule(
        booking=told, start=told.start + timedelta(days=1), end=told.end + timedelta(days=1)
    )
    services.set_status(booking=told, status=BookingStatus.CANCELED, cancel_reason="Not needed")

    assert set(messages(told, MessageType.RESCHEDULED)) == {"email", "sms"}
    canceled = messages(told, MessageType.CANCELED)["email"]
    assert "Not needed" in canceled.body
    assert "METHOD:CANCEL" in canceled.calendar
    assert f"UID:visit-{told.reference}@" in canceled.calendar


def test_a_move_of_ten_minutes_is_not_announced(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    services.reschedule(
        booking=booking,
        start=booking.start + timedelta(minutes=10),
        end=booking.end + timedelta(minutes=10),
    )

    assert not messages(booking, MessageType.RESCHEDULED)


def test_each_reschedule_is_its_own_message(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    for days in (1, 2):
        services.reschedule(
            booking=booking,
            start=booking.start + timedelta(days=days),
            end=booking.end + timedelta(days=days),
        )

    assert (
        Notification.objects.filter(booking=booking, message_type=MessageType.RESCHEDULED).count()
        == 4
    )


def test_on_the_way_and_completed_messages(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(include_survey=True, show_technician_details=True)
    booking = book(contact)

    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    services.set_status(booking=booking, status=BookingStatus.IN_PROGRESS)
    services.set_status(booking=booking, status=BookingStatus.COMPLETED)

    traveling = messages(booking, MessageType.TRAVELING)["email"]
    assert traveling.subject == "Alex R. is on the way"
    completed = messages(booking, MessageType.COMPLETED)["email"]
    assert "was completed" in completed.body
    assert "How did we do?" in completed.body


def test_technician_details_and_survey_follow_the_settings(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(include_survey=False, show_technician_details=False)
    booking = book(contact)

    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    services.set_status(booking=booking, status=BookingStatus.IN_PROGRESS)
    services.set_status(booking=booking, status=BookingStatus.COMPLETED)

    assert "Alex" not in messages(booking, MessageType.TRAVELING)["email"].body
    assert "How did we do?" not in messages(booking, MessageType.COMPLETED)["email"].body


def test_excluded_accounts_get_skipped_rows_with_the_reason(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings().excluded_accounts.add(contact.account)

    booking = book(contact)

    rows = list(Notification.objects.filter(booking=booking))
    assert rows
    assert {row.state for row in rows} == {NotificationState.SKIPPED}
    assert {row.skip_reason for row in rows} == {"the account is on the exclusion list"}


def test_switched_off_messages_write_nothing(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(notify_booking_confirmed=False)

    assert not Notification.objects.filter(booking=book(contact)).exists()


def test_company_email_only_sends_no_sms(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(communication_type="email")

    assert set(messages(book(contact), MessageType.CONFIRMED)) == {"email"}


def test_recording_the_same_message_twice_adds_nothing(contact) -> None:  # type: ignore[no-untyped-def]
    from doorstep.notifications.outbox import record

    booking = book(contact)
    record(booking=booking, message_type=MessageType.CONFIRMED)

    assert Notification.objects.filter(booking=booking).count() == 2


LONGEST_EMAIL = f"pat.{'x' * 60}@{'d' * 63}.{'e' * 63}.{'f' * 56}.test"  # 254 characters


def test_the_longest_email_address_fits_the_outbox_key() -> None:
    from doorstep.notifications.outbox import idempotency_key
    from doorstep.notifications.rules import Delivery

    assert len(LONGEST_EMAIL) == 254
    keys = {
        address: idempotency_key(
            booking_id=1_000_000_000,
            message_type=MessageType.RESCHEDULED,
            delivery=Delivery(channel="email", address=address, contact_id=1, language="en"),
            version="2026-11-25T08:00:00+00:00",
        )
        for address in (LONGEST_EMAIL, LONGEST_EMAIL.replace("pat.", "sam."))
    }
    assert all(len(key) <= 300 for key in keys.values())
    assert len(set(keys.values())) == 2  # still one key per address
    short = idempotency_key(
        booking_id=7,
        message_type=MessageType.CONFIRMED,
        delivery=Delivery(channel="email", address="pat@example.test", contact_id=1, language="en"),
        version="",
    )
    assert short == "7:confirmed:email:pat@example.test:"  # keys already stored stay valid


def test_a_move_announced_to_the_longest_address_is_written_once(contact) -> None:  # type: ignore[no-untyped-def]
    from doorstep.notifications.outbox import record

    contact.email = LONGEST_EMAIL
    contact.save()
    booking = book(contact)
    new_start = booking.start + timedelta(days=1)
    services.reschedule(booking=booking, start=new_start, end=booking.end + timedelta(days=1))
    record(booking=booking, message_type=MessageType.RESCHEDULED, version=new_start.isoformat())

    email = messages(booking, MessageType.RESCHEDULED)["email"]
    assert email.address == LONGEST_EMAIL
    assert len(email.idempotency_key) <= 300


@pytest.mark.parametrize(
    ("language", "greeting", "weekday_words"),
    [
        (
            "es",
            "Hola, Pat",
            ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        ),
        (
            "fr",
            "Bonjour Pat",
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        ),
        (
            "de",
            "Hallo Pat",
            ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        ),
        (
            "ar",
            "مرحبًا \u2068Pat\u2069",
            ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
        ),
    ],
)
def test_messages_are_written_in_the_contacts_language(
    contact, language, greeting, weekday_words
) -> None:  # type: ignore[no-untyped-def]
    contact.preferred_language = language
    contact.save()

    email = messages(book(contact), MessageType.CONFIRMED)["email"]

    assert greeting in email.body
    # Dates too: Django's own translations name the day ("martes", "Dienstag").
    assert any(word in email.subject.lower() or word in email.subject for word in weekday_words)


def a_document(booking: Booking) -> Document:
    return history_services.add_document(
        upload=io.BytesIO(images.PDF),
        size=len(images.PDF),
        name="invoice.pdf",
        title="Invoice",
        document_type=DocumentType.INVOICE,
        booking=booking,
    )


@pytest.mark.parametrize("about", ["booking", "invitation", "document", "nothing"])
def test_a_row_about_nothing_is_refused_on_every_database(about: str, contact: Contact) -> None:
    # SQLite's insert-or-ignore would drop it without a word where PostgreSQL refuses it.
    booking = book(contact)
    owners = {
        "booking": {"booking": booking},
        "invitation": {"invitation": invite_contact(contact=contact)},
        "document": {"document": a_document(booking)},
        "nothing": {},
    }[about]
    row = Notification(
        message_type=MessageType.DOCUMENTS,
        channel="email",
        address="pat@example.test",
        idempotency_key=f"test:{about}",
        created_at=timezone.now(),
        **owners,
    )
    if about == "nothing":
        with pytest.raises(ValueError, match="about a visit, an invitation or a document"):
            outbox.insert([row], wake=False)
        assert not Notification.objects.filter(idempotency_key="test:nothing").exists()
    else:
        outbox.insert([row], wake=False)
        assert Notification.objects.filter(idempotency_key=f"test:{about}").exists()
