"""`service_plan.change_requested`: the company's system hears what a customer asked of
a plan in the portal, in the shape the OpenAPI document gives."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openapi_schema_validator import OAS31Validator

from doorstep.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import AccountFactory, ContactFactory, ServicePlanFactory, UserFactory

pytestmark = pytest.mark.django_db
EVENT = "service_plan.change_requested"


def test_a_change_asked_in_the_portal_is_heard_with_the_plan(
    endpoint: WebhookEndpoint, client: Client
) -> None:
    contact = ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())
    contact.account.external_id = "CRM-5"
    contact.account.save()
    plan = ServicePlanFactory(account=contact.account, external_id="AGR-12")
    client.force_login(contact.user)

    response = client.post(
        reverse("portal:plan_change", args=[plan.pk]), {"text": "Visits in May, please."}
    )

    assert response.status_code == 302
    [delivery] = WebhookDelivery.objects.filter(event_type=EVENT)
    event = delivery.payload
    assert event["actor"] == {"type": "customer", "id": contact.user_id}
    asked = event["data"]["change_request"]
    assert (asked["text"], asked["contact"]) == ("Visits in May, please.", contact.pk)
    assert (asked["plan"]["external_id"], asked["plan"]["account_external_id"]) == (
        "AGR-12",
        "CRM-5",
    )
    assert asked["url"].endswith(f"/api/v1/service-plan-change-requests/{asked['id']}")

    document = client.get("/api/v1/openapi.json").json()
    body = document["webhooks"][EVENT]["post"]["requestBody"]["content"]["application/json"]
    schema: dict[str, Any] = {**body["schema"], "components": document["components"]}
    OAS31Validator(schema).validate(event)


def test_a_refused_request_is_not_heard(endpoint: WebhookEndpoint, client: Client) -> None:
    contact = ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())
    plan = ServicePlanFactory(account=AccountFactory())  # another account's
    client.force_login(contact.user)
    client.post(reverse("portal:plan_change", args=[plan.pk]), {"text": "Stop it"})
    client.post(reverse("portal:plan_change", args=[plan.pk]), {"text": ""})
    assert not WebhookDelivery.objects.filter(event_type=EVENT).exists()
