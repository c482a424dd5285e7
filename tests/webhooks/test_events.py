"""Each domain event becomes its webhook event, written with the change that caused it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from doorstep.access.invitations import redeem_invitation
from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.customers.services import update_profile
from doorstep.scheduling import feedback
from doorstep.scheduling.models import BookingStatus
from doorstep.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.django_db


def sent(event_type: str) -> list[dict[str, Any]]:
    return [d.payload for d in WebhookDelivery.objects.filter(event_type=event_type)]


def test_a_customers_profile_change_is_contact_updated(endpoint: WebhookEndpoint) -> None:
    contact = factories.ContactFactory()
    update_profile(contact=contact, first_name="Robin", last_name="Hale", phone="",
                   preferred_language="en", communication_preference="email")  # fmt: skip

    [event] = sent("contact.updated")
    assert event["data"]["contact"]["first_name"] == "Robin"
    assert event["actor"]["type"] == "customer"


def test_feedback_is_feedback_received(endpoint: WebhookEndpoint) -> None:
    PortalSettings.objects.update_or_create(pk=1, defaults={"include_survey": True})
    contact = factories.ContactFactory()
    start = timezone.now() - timedelta(days=2)
    booking = factories.BookingFactory(
        work_order=factories.WorkOrderFactory(account=contact.account),
        status=BookingStatus.COMPLETED,
        start=start,
        end=start + timedelta(hours=1),
        completed_at=start + timedelta(hours=1),
    )
    feedback.give_feedback(booking=booking, contact=contact, rating=4, comment="On time")

    [event] = sent("feedback.received")
    assert event["data"]["feedback"] == {"rating": 4, "comment": "On time"}
    assert event["data"]["booking"]["id"] == booking.pk


def test_a_redeemed_invitation_is_invitation_redeemed(endpoint: WebhookEndpoint) -> None:
    contact = factories.ContactFactory(email="robin@example.com")
    invited = factories.invite(contact)
    redeem_invitation(code=invited.code, password="a long enough pass phrase 42")

    [event] = sent("invitation.redeemed")
    assert event["data"]["contact"]["id"] == contact.pk


def test_eta_changes_go_at_most_once_a_minute_per_visit(endpoint: WebhookEndpoint) -> None:
    booking = factories.BookingFactory(status=BookingStatus.TRAVELING)
    other = factories.BookingFactory(status=BookingStatus.TRAVELING)
    for minute, visit in ((0, booking), (1, booking), (2, booking), (3, other)):
        eta = (timezone.now() + timedelta(minutes=20 + minute)).isoformat()
        with transaction.atomic():
            events.publish("booking.eta_changed", etas=[{"booking_id": visit.pk, "eta": eta}])

    sent_for = sorted(e["data"]["booking"]["id"] for e in sent("booking.eta_changed"))
    assert sent_for == sorted([booking.pk, other.pk])


def test_a_failed_message_is_notification_failed(endpoint: WebhookEndpoint) -> None:
    booking = factories.BookingFactory()
    with transaction.atomic():
        events.publish("notification.failed", notification_id=7, booking_id=booking.pk,
                       channel="sms", message_type="reminder", error="Unreachable")  # fmt: skip

    [event] = sent("notification.failed")
    assert event["data"]["notification"]["error"] == "Unreachable"
    assert event["sequence"] == 1


def test_a_change_rolled_back_leaves_no_delivery(endpoint: WebhookEndpoint) -> None:
    contact = factories.ContactFactory()

    @transaction.atomic
    def change_then_fail() -> None:
        update_profile(contact=contact, first_name="Robin", last_name="", phone="",
                       preferred_language="en", communication_preference="email")  # fmt: skip
        raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert not WebhookDelivery.objects.exists()
