"""The back office's webhook pages: make an endpoint, see its secret once, read the log,
replay."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from doorstep.webhooks import sending, services
from doorstep.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def test_a_new_endpoint_shows_its_secret_once(staff_client: Any, allow_private: None) -> None:
    answer = staff_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"url": "http://127.0.0.1:9/in", "event_types": ["booking.created"], "active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in answer.content.decode()
    assert endpoint.event_types == ["booking.created"]
    page = staff_client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()


def test_a_private_address_is_refused_and_the_form_keeps_what_was_typed(
    staff_client: Any,
) -> None:
    answer = staff_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"url": "https://10.0.0.8/in", "description": "Dispatch", "active": "on"},
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "public addresses" in page
    assert "https://10.0.0.8/in" in page
    assert "Dispatch" in page
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_each_attempt_and_replays(
    staff_client: Any, endpoint: WebhookEndpoint, receiver: Receiver
) -> None:
    receiver.answers = [(500, {})]
    services.send_test_event(endpoint=endpoint)
    sending.send_due(worker="test")
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.update(state=DeliveryState.FAILED)

    listing = staff_client.get(reverse("admin:webhooks_webhookdelivery_changelist"))
    page = staff_client.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]))
    assert listing.status_code == page.status_code == 200
    assert "The endpoint answered 500." in page.content.decode()

    staff_client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "replay", "_selected_action": [delivery.pk]},
    )
    sending.send_due(worker="test")
    assert receiver.ids() == [delivery.event_id]


def test_actions_rotate_and_send_a_test_event(
    staff_client: Any, staff_user: Any, endpoint: WebhookEndpoint
) -> None:
    old = endpoint.secret
    changelist = reverse("admin:webhooks_webhookendpoint_changelist")
    for action in ("rotate_secret", "send_test_event", "replay_failed_week"):
        answer = staff_client.post(
            changelist, {"action": action, "_selected_action": [endpoint.pk]}, follow=True
        )
        assert answer.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.previous_secret == old
    test_event = WebhookDelivery.objects.get()
    assert test_event.event_type == "webhook.test"
    assert test_event.payload["actor"] == {"type": "staff", "id": staff_user.pk}
