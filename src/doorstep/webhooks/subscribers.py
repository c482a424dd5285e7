"""Webhook events from the domain's events, written in the transaction of the change.

Each subscriber runs inside the change's transaction (`events.subscribe_in_transaction`):
a delivery row exists exactly when the change does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from doorstep.core import events
from doorstep.core.events import Event
from doorstep.customers.models import Contact
from doorstep.history.models import Document, ServiceReport
from doorstep.plans.models import ChangeRequest
from doorstep.scheduling.models import Booking, BookingStatusChange, VisitFeedback
from doorstep.users.models import User
from doorstep.webhooks import payloads
from doorstep.webhooks.models import EventType, WebhookDelivery
from doorstep.webhooks.outbox import endpoints_for, record_event

ETA_INTERVAL = timedelta(minutes=1)


def _booking(booking_id: int) -> Booking:
    return Booking.objects.select_related(
        "work_order__account", "work_order__incident_type", "resource"
    ).get(pk=booking_id)


def _user(user_id: int | None) -> User | None:
    return User.objects.filter(pk=user_id).first() if user_id else None


def _record_booking_event(
    event_type: str, booking: Booking, actor: dict[str, Any], **extra: Any
) -> None:
    record_event(
        event_type=event_type,
        resource=f"booking:{booking.pk}",
        data={"booking": payloads.booking(booking), **extra},
        actor=actor,
        service_type_id=booking.work_order.incident_type_id,
    )


def on_booking_created(event: Event) -> None:
    booking = _booking(event.payload["booking_id"])
    first = BookingStatusChange.objects.filter(booking=booking).order_by("pk").first()
    changed_by = first.changed_by if first else None
    _record_booking_event(
        EventType.BOOKING_CREATED, booking, payloads.actor(changed_by, source=booking)
    )


def on_booking_rescheduled(event: Event) -> None:
    booking = _booking(event.payload["booking_id"])
    _record_booking_event(
        EventType.BOOKING_RESCHEDULED,
        booking,
        payloads.actor(_user(event.payload.get("changed_by_id"))),
        old_start=event.payload["old_start"],
        old_end=event.payload["old_end"],
        new_start=event.payload["new_start"],
        new_end=event.payload["new_end"],
    )


def on_booking_canceled(event: Event) -> None:
    booking = _booking(event.payload["booking_id"])
    change = (
        BookingStatusChange.objects.filter(booking=booking, to_status="canceled")
        .order_by("-pk")
        .first()
    )
    actor = payloads.actor(change.changed_by if change else None)
    _record_booking_event(
        EventType.BOOKING_CANCELED, booking, actor, reason=event.payload["reason"]
    )


def on_status_changed(event: Event) -> None:
    booking = _booking(event.payload["booking_id"])
    _record_booking_event(
        EventType.BOOKING_STATUS_CHANGED,
        booking,
        payloads.actor(_user(event.payload.get("changed_by_id"))),
        from_status=event.payload["from_status"],
        to_status=event.payload["to_status"],
    )


def on_eta_changed(event: Event) -> None:
    """At most one event a minute per visit: an ETA moves with every ping. One query when
    no endpoint wants these events, and a fixed number for the visits when one does."""
    wanting = endpoints_for(EventType.BOOKING_ETA_CHANGED, service_type_id=None, any_type=True)
    if not wanting:
        return
    etas = {item["booking_id"]: item["eta"] for item in event.payload["etas"]}
    resources = {f"booking:{booking_id}": booking_id for booking_id in etas}
    recent = set(
        WebhookDelivery.objects.filter(
            resource__in=resources,
            event_type=EventType.BOOKING_ETA_CHANGED,
            created_at__gt=timezone.now() - ETA_INTERVAL,
        ).values_list("resource", flat=True)
    )
    due = [booking_id for resource, booking_id in resources.items() if resource not in recent]
    bookings = Booking.objects.select_related(
        "work_order__account", "work_order__incident_type", "resource"
    ).filter(pk__in=due)
    for booking in bookings:
        service_type_id = booking.work_order.incident_type_id
        record_event(
            event_type=EventType.BOOKING_ETA_CHANGED,
            resource=f"booking:{booking.pk}",
            data={"booking": payloads.booking(booking), "eta": etas[booking.pk]},
            actor=payloads.SYSTEM,
            endpoints=[e for e in wanting if e.service_type_id in (None, service_type_id)],
        )


def on_running_late(event: Event) -> None:
    booking = _booking(event.payload["booking_id"])
    _record_booking_event(
        EventType.BOOKING_RUNNING_LATE, booking, payloads.SYSTEM, eta=event.payload["eta"]
    )


def on_feedback_received(event: Event) -> None:
    feedback = VisitFeedback.objects.select_related("given_by").get(pk=event.payload["feedback_id"])
    booking = _booking(feedback.booking_id)
    contact = feedback.given_by
    actor = (
        {"type": "customer", "id": contact.pk}
        if contact
        else {"type": "customer", "id": None, "via": "visit link"}
    )
    _record_booking_event(
        EventType.FEEDBACK_RECEIVED,
        booking,
        actor,
        feedback={"rating": feedback.rating, "comment": feedback.comment},
    )


def on_notification_failed(event: Event) -> None:
    booking_id = event.payload.get("booking_id")
    booking = _booking(booking_id) if booking_id else None
    record_event(
        event_type=EventType.NOTIFICATION_FAILED,
        resource=f"notification:{event.payload['notification_id']}",
        data={
            "notification": {
                "id": event.payload["notification_id"],
                "channel": event.payload["channel"],
                "message": event.payload["message_type"],
                "error": event.payload["error"],
            },
            "booking": payloads.booking(booking) if booking else None,
        },
        actor=payloads.SYSTEM,
        service_type_id=booking.work_order.incident_type_id if booking else None,
    )


def on_invitation_redeemed(event: Event) -> None:
    contact = Contact.objects.get(pk=event.payload["contact_id"])
    record_event(
        event_type=EventType.INVITATION_REDEEMED,
        resource=f"contact:{contact.pk}",
        data={
            "invitation_id": event.payload["invitation_id"],
            "contact": payloads.contact(contact),
        },
        actor={"type": "customer", "id": contact.pk},
    )


def on_contact_updated(event: Event) -> None:
    contact = Contact.objects.get(pk=event.payload["contact_id"])
    record_event(
        event_type=EventType.CONTACT_UPDATED,
        resource=f"contact:{contact.pk}",
        data={"contact": payloads.contact(contact)},
        actor={"type": "customer", "id": contact.pk},
    )


def on_document_published(event: Event) -> None:
    """A document the customer sees from now on: uploaded so, or published later."""
    paper = Document.objects.select_related("account").get(pk=event.payload["document_id"])
    booking = _booking(paper.booking_id) if paper.booking_id else None
    record_event(
        event_type=EventType.DOCUMENT_PUBLISHED,
        resource=f"document:{paper.pk}",
        data={
            "document": payloads.document(paper),
            "booking": payloads.booking(booking) if booking else None,
        },
        actor=payloads.actor(_user(event.payload.get("published_by_id"))),
        service_type_id=booking.work_order.incident_type_id if booking else None,
    )


def on_report_ready(event: Event) -> None:
    """A visit's service report was made (or a corrected version of it)."""
    report = ServiceReport.objects.get(pk=event.payload["report_id"])
    _record_booking_event(
        EventType.VISIT_REPORT_READY,
        _booking(report.booking_id),
        payloads.SYSTEM,
        report=payloads.service_report(report),
    )


def on_plan_change_requested(event: Event) -> None:
    """A customer wrote to the office, from the portal, about one of their plans."""
    change = ChangeRequest.objects.select_related("plan__account", "contact__user").get(
        pk=event.payload["change_request_id"]
    )
    record_event(
        event_type=EventType.PLAN_CHANGE_REQUESTED,
        resource=f"service_plan:{change.plan_id}",
        data={"change_request": payloads.change_request(change)},
        actor=payloads.actor(change.contact.user if change.contact else None),
        service_type_id=change.plan.service_type_id,
    )


SUBSCRIBERS = {
    "booking.created": on_booking_created,
    "booking.rescheduled": on_booking_rescheduled,
    "booking.canceled": on_booking_canceled,
    "booking.status_changed": on_status_changed,
    "booking.eta_changed": on_eta_changed,
    "booking.running_late": on_running_late,
    "feedback.received": on_feedback_received,
    "notification.failed": on_notification_failed,
    "invitation.redeemed": on_invitation_redeemed,
    "contact.updated": on_contact_updated,
    "document.published": on_document_published,
    "history.report_ready": on_report_ready,
    "service_plan.change_requested": on_plan_change_requested,
}


def connect() -> None:
    for name, subscriber in SUBSCRIBERS.items():
        events.subscribe_in_transaction(name, subscriber)
