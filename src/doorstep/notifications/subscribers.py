"""What the notifications app writes when other parts of Doorstep publish an event.

Each runs inside the transaction of the change (`events.subscribe_in_transaction`), so a
message is a row written with the change that causes it, or neither exists.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from doorstep.access.models import Invitation
from doorstep.core.events import Event
from doorstep.history.models import Document
from doorstep.notifications import rules
from doorstep.notifications.models import MessageType, Notification, NotificationState, RunningLate
from doorstep.notifications.on_the_way import ARRIVAL_WAIT, held_on_the_way
from doorstep.notifications.outbox import record, record_invitation, told_start, was_told
from doorstep.notifications.place_documents import record_place_document
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource

# Why an "on the way" message still waiting for its arrival time was not sent, in the
# outbox log: a whole sentence for each status the visit moved to. (A status's label
# follows the reader's language, so a sentence built around it would come out mixed.)
WITHDRAWN_BECAUSE: dict[str, str] = {
    BookingStatus.IN_PROGRESS: "the technician arrived",
    BookingStatus.CANCELED: "the visit was canceled",
    BookingStatus.COMPLETED: "the visit was completed",
}
TURNED_BACK = "the technician turned back"


def on_contact_invited(event: Event) -> None:
    invitation = Invitation.objects.select_related("contact__account").get(
        pk=event.payload["invitation_id"]
    )
    record_invitation(invitation=invitation)


def on_booking_created(event: Event) -> None:
    booking = Booking.objects.select_related("work_order").get(pk=event.payload["booking_id"])
    if booking.work_order.source in (WorkOrderSource.PORTAL, WorkOrderSource.API):
        record(booking=booking, message_type=MessageType.CONFIRMED)


def on_booking_moved(event: Event) -> None:
    """A move is announced when the visit is now more than the threshold from the time in
    the customer's latest message, however it got there (one move or many nudges)."""
    booking = Booking.objects.get(pk=event.payload["booking_id"])
    if rules.move_to_announce(told_start=told_start(booking.pk), start=booking.start):
        record(booking=booking, message_type=MessageType.RESCHEDULED)


def on_booking_canceled(event: Event) -> None:
    if was_told(event.payload["booking_id"]):
        booking = Booking.objects.get(pk=event.payload["booking_id"])
        record(booking=booking, message_type=MessageType.CANCELED)


def on_status_changed(event: Event) -> None:
    to_status, from_status = event.payload["to_status"], event.payload["from_status"]
    if to_status == BookingStatus.TRAVELING:
        set_off(event.payload["booking_id"])
    elif from_status == BookingStatus.TRAVELING and to_status == BookingStatus.SCHEDULED:
        turn_back(event.payload["booking_id"])
    elif from_status == BookingStatus.TRAVELING:
        # Arrived (or canceled) before "on the way" had its arrival time: it is no news.
        withdraw_on_the_way(
            event.payload["booking_id"],
            reason=WITHDRAWN_BECAUSE.get(to_status, "the visit's status changed"),
        )
    if to_status == BookingStatus.COMPLETED:
        booking = Booking.objects.get(pk=event.payload["booking_id"])
        record(booking=booking, message_type=MessageType.COMPLETED)


def on_document_published(event: Event) -> None:
    """The office published a document and asked to tell the customer: for a completed
    visit's, the visit's recipients hear of it, once for each document, with the visit link,
    whose page shows a completed visit's documents; for a site's or equipment's, the
    account's main person, with a link to its page (`place_documents`)."""
    if not event.payload.get("tell_customer"):
        return
    document = Document.objects.select_related("booking").get(pk=event.payload["document_id"])
    if event.payload.get("booking_id") is None:
        record_place_document(document=document)
        return
    if document.booking is None or document.booking.status != BookingStatus.COMPLETED:
        return
    record(
        booking=document.booking,
        message_type=MessageType.DOCUMENTS,
        version=f"document{document.pk}",
        extra={"document_title": document.title},
    )


def trips(booking: Booking) -> int:
    """How many times the technician set off to the visit: the number of this trip."""
    return booking.status_changes.filter(to_status=BookingStatus.TRAVELING).count()


def set_off(booking_id: int) -> None:
    """ "On the way", held until the trip's first arrival time (`on_the_way`); what the
    customer is told of this trip starts afresh."""
    booking = Booking.objects.get(pk=booking_id)
    now = timezone.now()
    trip = trips(booking)
    RunningLate.objects.update_or_create(
        booking=booking, defaults={"trip": trip, "told_eta": None, "slips": 0, "told_at": now}
    )
    # A technician who turned back and sets off again is on the way again.
    record(
        booking=booking,
        message_type=MessageType.TRAVELING,
        version=str(trip),
        now=now,
        send_at=now + ARRIVAL_WAIT,
    )


def turn_back(booking_id: int) -> None:
    """The customer told the technician was on the way hears they no longer are; one not
    told yet (the message still waited for its arrival time) hears nothing."""
    booking = Booking.objects.get(pk=booking_id)
    now = timezone.now()
    withdraw_on_the_way(booking.pk, reason=TURNED_BACK, now=now)
    trip = trips(booking)
    told_of_trip = (
        Notification.objects.filter(
            booking=booking,
            message_type=MessageType.TRAVELING,
            idempotency_key__endswith=f":{trip}",
        )
        .exclude(state__in=[NotificationState.SKIPPED, NotificationState.FAILED])
        .exists()
    )
    if told_of_trip:
        record(booking=booking, message_type=MessageType.TURNED_BACK, version=str(trip), now=now)


def withdraw_on_the_way(booking_id: int, *, reason: str, now: datetime | None = None) -> None:
    """Skip the "on the way" message still waiting for its arrival time, with the reason."""
    held_on_the_way(booking_id, now=now or timezone.now()).update(
        state=NotificationState.SKIPPED,
        skip_reason=f"{reason} before it was sent",
        next_attempt_at=None,
    )
