"""What the notifications app writes when other parts of Doorstep publish an event.

Each runs inside the transaction of the change (`events.subscribe_in_transaction`), so a
message is a row written with the change that causes it, or neither exists.
"""

from __future__ import annotations

from doorstep.access.models import Invitation
from doorstep.core.events import Event
from doorstep.notifications.models import MessageType
from doorstep.notifications.outbox import record, record_invitation, was_told
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource


def on_contact_invited(event: Event) -> None:
    invitation = Invitation.objects.select_related("contact__account").get(
        pk=event.payload["invitation_id"]
    )
    record_invitation(invitation=invitation)


def on_booking_created(event: Event) -> None:
    booking = Booking.objects.select_related("work_order").get(pk=event.payload["booking_id"])
    if booking.work_order.source in (WorkOrderSource.PORTAL, WorkOrderSource.API):
        record(booking=booking, message_type=MessageType.CONFIRMED)


def on_booking_rescheduled(event: Event) -> None:
    if was_told(event.payload["booking_id"]):
        booking = Booking.objects.get(pk=event.payload["booking_id"])
        record(
            booking=booking,
            message_type=MessageType.RESCHEDULED,
            version=event.payload["new_start"],
        )


def on_booking_canceled(event: Event) -> None:
    if was_told(event.payload["booking_id"]):
        booking = Booking.objects.get(pk=event.payload["booking_id"])
        record(booking=booking, message_type=MessageType.CANCELED)


def on_status_changed(event: Event) -> None:
    to_status = event.payload["to_status"]
    if to_status not in (BookingStatus.TRAVELING, BookingStatus.COMPLETED):
        return
    booking = Booking.objects.get(pk=event.payload["booking_id"])
    if to_status == BookingStatus.TRAVELING:
        # A technician who turned back and sets off again is on the way again.
        trips = booking.status_changes.filter(to_status=BookingStatus.TRAVELING).count()
        record(booking=booking, message_type=MessageType.TRAVELING, version=str(trips))
    else:
        record(booking=booking, message_type=MessageType.COMPLETED)
