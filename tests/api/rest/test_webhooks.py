"""Webhook endpoints and their deliveries through the API (the `webhooks` scope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from doorstep.access.models import Scope
from doorstep.webhooks import sending
from doorstep.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from tests.webhooks.receiver import running_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(api_for: Callable[..., Any], settings: Any) -> Any:
    settings.DOORSTEP_WEBHOOKS_ALLOW_PRIVATE = True
    return api_for([Scope.WEBHOOKS])


def test_an_endpoint_made_through_the_api_shows_its_secret_once(hooks: Any) -> None:
    with running_receiver() as receiver:
        wanted = {"url": receiver.url, "event_types": ["booking.canceled"]}
        made = hooks.call("POST", "/api/v1/webhook-endpoints", wanted)
        assert made.status_code == 201, made.json()
        secret = made.json()["secret"]
        assert secret.startswith("whsec_")
        endpoint_url = f"/api/v1/webhook-endpoints/{made.json()['id']}"
        assert "secret" not in hooks.call("GET", endpoint_url).json()

        tested = hooks.call("POST", f"{endpoint_url}/test")
        assert tested.status_code == 202
        sending.send_due(worker="test")
        [received] = receiver.received
        Webhook(secret).verify(received.body, received.headers)

    log = hooks.call("GET", f"/api/v1/webhook-deliveries?endpoint={made.json()['id']}").json()
    [delivery] = log["results"]
    assert delivery["webhook_id"] == received.headers["webhook-id"]
    assert delivery["attempt_log"][0]["status_code"] == 200


def test_rotating_gives_a_new_secret(hooks: Any) -> None:
    made = hooks.call("POST", "/api/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/x"})
    rotated = hooks.call("POST", f"/api/v1/webhook-endpoints/{made.json()['id']}/rotate-secret")
    assert rotated.json()["secret"] != made.json()["secret"]


def test_unknown_event_types_and_private_urls_are_refused_with_reasons(
    hooks: Any, settings: Any
) -> None:
    wrong_type = {"url": "https://example.com/x", "event_types": ["booking.eaten"]}
    bad = hooks.call("POST", "/api/v1/webhook-endpoints", wrong_type)
    assert bad.status_code == 400
    settings.DOORSTEP_WEBHOOKS_ALLOW_PRIVATE = False
    private = hooks.call("POST", "/api/v1/webhook-endpoints", {"url": "https://127.0.0.1/x"})
    assert private.status_code == 400
    assert "public addresses" in str(private.json())
    assert not WebhookEndpoint.objects.exists()


def test_replaying_failed_deliveries_since_a_time(hooks: Any) -> None:
    made = hooks.call("POST", "/api/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/x"})
    endpoint = WebhookEndpoint.objects.get(pk=made.json()["id"])
    hooks.call("POST", f"/api/v1/webhook-endpoints/{endpoint.pk}/test")
    WebhookDelivery.objects.update(state="failed")
    since = (timezone.now().replace(microsecond=0) - timezone.timedelta(hours=1)).isoformat()

    replayed = hooks.call(
        "POST", f"/api/v1/webhook-endpoints/{endpoint.pk}/replay", {"since": since}
    )

    assert replayed.json() == {"replayed": 1}
    assert WebhookDelivery.objects.get().state == "pending"


def test_a_key_without_the_webhooks_scope_is_refused(api_for: Callable[..., Any]) -> None:
    reader = api_for([Scope.READ, Scope.WRITE])
    assert reader.call("GET", "/api/v1/webhook-endpoints").status_code == 403
    assert reader.call("GET", "/api/v1/webhook-deliveries").status_code == 403


def test_the_openapi_document_describes_every_event(api: Any) -> None:
    document = api.get("/api/v1/openapi.json").json()
    assert set(document["webhooks"]) == set(EventType.values)
    canceled = document["webhooks"]["booking.canceled"]["post"]["requestBody"]
    schema = canceled["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    data = document["components"]["schemas"][schema]["properties"]["data"]
    assert data  # the event's own fields are described
