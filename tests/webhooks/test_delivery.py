"""Events reach a real receiver, signed, once per webhook-id, whatever fails on the way."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from doorstep.configuration.models import PortalSettings
from doorstep.scheduling import services as scheduling
from doorstep.webhooks import sending, services
from doorstep.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def book_one(start_in_days: int = 2) -> object:
    work_order = factories.WorkOrderFactory()
    start = (timezone.now() + timedelta(days=start_in_days)).replace(
        minute=0, second=0, microsecond=0
    )
    return scheduling.create_booking(
        work_order=work_order,
        resource=factories.ResourceFactory(),
        start=start,
        end=start + timedelta(hours=1),
    )


def send_all(*, now: object = None) -> sending.BatchResult:
    return sending.send_due(worker="test-worker", now=now)  # type: ignore[arg-type]


def verified(receiver: Receiver, endpoint: WebhookEndpoint) -> list[dict[str, object]]:
    hook = Webhook(endpoint.secret)
    return [hook.verify(r.body, r.headers) for r in receiver.received]


def test_a_booking_reaches_the_receiver_signed_the_standard_webhooks_way(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    booking = book_one()

    result = send_all()

    assert result.delivered == 1
    [event] = verified(receiver, endpoint)
    assert event["type"] == "booking.created"
    assert event["data"]["booking"]["reference"] == booking.reference  # type: ignore[index]
    assert event["sequence"] == 1
    assert event["actor"] == {"type": "staff", "id": None}
    assert receiver.received[0].headers["webhook-id"] == event["id"]


def test_events_of_one_visit_carry_growing_sequence_numbers(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    booking = book_one()
    booked_at = booking.start
    scheduling.reschedule(
        booking=booking,
        start=booking.start + timedelta(hours=3),
        end=booking.end + timedelta(hours=3),
    )
    scheduling.set_status(booking=booking, status="canceled", cancel_reason="Fixed it myself")
    send_all()

    events = verified(receiver, endpoint)
    assert [e["type"] for e in events] == [
        "booking.created",
        "booking.rescheduled",
        "booking.canceled",
        "booking.status_changed",
    ]
    assert [e["sequence"] for e in events] == [1, 2, 3, 4]
    assert events[2]["data"]["reason"] == "Fixed it myself"  # type: ignore[index]
    assert events[1]["data"]["old_start"] == booked_at.isoformat()  # type: ignore[index]


def test_an_endpoint_gets_only_the_event_types_it_asked_for(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    endpoint.event_types = ["booking.canceled"]
    services.save_endpoint(endpoint=endpoint)
    booking = book_one()
    scheduling.set_status(booking=booking, status="canceled", cancel_reason="No longer needed")
    send_all()

    assert [e["type"] for e in verified(receiver, endpoint)] == ["booking.canceled"]


def test_a_service_type_filter_keeps_other_visits_out(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    endpoint.service_type = factories.IncidentTypeFactory()
    services.save_endpoint(endpoint=endpoint)
    book_one()
    send_all()

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_receiver_that_fails_then_recovers_gets_every_event_once_per_id(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    receiver.answers = [(500, {}), (503, {}), (429, {"Retry-After": "1"})] * 2
    bookings = [book_one(days) for days in (2, 3, 4)]
    ids = set(WebhookDelivery.objects.values_list("event_id", flat=True))
    now = timezone.now()
    for _ in range(6):
        send_all(now=now)
        now += timedelta(minutes=40)

    assert sorted(receiver.ids()) == sorted(ids)
    assert len(ids) == len(bookings)
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    # Every retry kept its webhook-id: the failed attempts are logged under the same rows.
    failed = WebhookDelivery.objects.filter(tries__status_code__gte=400).count()
    assert failed == 6


def test_retries_follow_the_schedule_and_honour_retry_after(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    receiver.answers = [(500, {}), (429, {"Retry-After": "3600"})]
    book_one()
    now = timezone.now()
    send_all(now=now)
    first = WebhookDelivery.objects.get()
    assert first.state == DeliveryState.PENDING
    assert timedelta(seconds=4) <= first.next_attempt_at - timezone.now() <= timedelta(seconds=6)

    send_all(now=now + timedelta(seconds=10))
    second = WebhookDelivery.objects.get()
    wait = second.next_attempt_at - timezone.now()
    assert timedelta(minutes=59) <= wait <= timedelta(minutes=61)  # asked for over 5 minutes
    assert [t.status_code for t in second.tries.all()] == [500, 429]


def test_after_the_last_attempt_the_delivery_fails(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    receiver.answers = [(500, {})] * sending.MAX_ATTEMPTS
    book_one()
    now = timezone.now()
    for _ in range(sending.MAX_ATTEMPTS):
        send_all(now=now)
        now += timedelta(days=1, hours=3)

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.tries.count() == sending.MAX_ATTEMPTS == 10


def test_410_disables_the_endpoint_and_tells_staff(
    endpoint: WebhookEndpoint, receiver: Receiver, django_capture_on_commit_callbacks: object
) -> None:
    factories.StaffUserFactory(email="office@example.com")
    receiver.answers = [(410, {})]
    book_one()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        send_all()

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED
    assert mail.outbox[-1].to == ["office@example.com"]


def test_an_endpoint_failing_for_five_days_is_disabled(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(days=5, minutes=1)
    )
    receiver.answers = [(500, {})]
    book_one()
    send_all()

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "5 days" in endpoint.disabled_reason


def test_a_worker_killed_mid_delivery_loses_nothing(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    """A worker that claimed a batch and died (its attempts never recorded) leaves the rows
    claimed; once the claim is old, another worker sends them, under the same ids."""
    book_one()
    book_one(3)
    ids = set(WebhookDelivery.objects.values_list("event_id", flat=True))
    sending.claim(worker="killed-worker", now=timezone.now())
    assert send_all().claimed == 0  # still held by the dead worker

    later = timezone.now() + sending.CLAIM_TIMEOUT + timedelta(seconds=1)
    send_all(now=later)

    assert sorted(receiver.ids()) == sorted(ids)
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}


def test_a_stalled_worker_does_not_overwrite_the_outcome_of_the_one_that_took_over(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    book_one()
    [stalled] = sending.claim(worker="stalled", now=timezone.now())
    send_all(now=timezone.now() + sending.CLAIM_TIMEOUT + timedelta(seconds=1))
    receiver.answers = [(500, {})]
    poster = sending.guard.Poster(allow_private=True)
    sending.deliver(stalled, worker="stalled", poster=poster)

    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED


def test_rotation_signs_with_both_secrets_for_a_day(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    old = endpoint.secret
    new = services.rotate_secret(endpoint=endpoint)
    book_one()
    send_all()

    [received] = receiver.received
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(received.body, received.headers)
    Webhook(new).verify(received.body, received.headers)

    endpoint.refresh_from_db()
    assert endpoint.secrets(now=timezone.now() + timedelta(hours=25)) == [new]


def test_a_replay_sends_the_same_event_id_again(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    receiver.answers = [(410, {})]
    book_one()
    send_all()
    endpoint.refresh_from_db()
    endpoint.active = True
    services.save_endpoint(endpoint=endpoint)

    replayed = services.replay_failed(endpoint=endpoint, since=timezone.now() - timedelta(hours=1))
    send_all()

    assert replayed == 1
    delivery = WebhookDelivery.objects.get()
    assert receiver.ids() == [delivery.event_id]
    assert json.loads(receiver.received[0].body)["id"] == delivery.event_id


def test_a_test_event_reaches_the_receiver(endpoint: WebhookEndpoint, receiver: Receiver) -> None:
    services.send_test_event(endpoint=endpoint)
    send_all()

    assert [e["type"] for e in verified(receiver, endpoint)] == ["webhook.test"]


def test_a_refused_connection_is_logged_as_such_and_retried(
    endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="http://127.0.0.1:9/nothing")
    book_one()
    send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_error.startswith("Could not connect")


def test_the_staff_alert_comes_from_the_company_in_its_email_layout(
    endpoint: WebhookEndpoint, receiver: Receiver, django_capture_on_commit_callbacks: object
) -> None:
    portal = PortalSettings.load()
    portal.company_name = "Acme Heating"
    portal.email_sender_name = "Acme Heating dispatch"
    portal.email_reply_to = "dispatch@acme.example"
    portal.save()
    factories.StaffUserFactory(email="office@example.com")
    receiver.answers = [(410, {})]
    book_one()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        send_all()

    alert = mail.outbox[-1]
    assert isinstance(alert, EmailMultiAlternatives)
    assert alert.from_email.startswith("Acme Heating dispatch <")
    assert alert.reply_to == ["dispatch@acme.example"]
    html = str(alert.alternatives[0][0])
    assert "Acme Heating" in html
    assert endpoint.url in html
