"""`document.published` and `visit.report_ready`: what an integration hears of the history."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from doorstep.access.models import Scope
from doorstep.core import events
from doorstep.history import services
from doorstep.history.models import DocumentType, ServiceReport, Visibility
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.webhooks import services as webhooks
from doorstep.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api.rest.conftest import ApiClient
from tests.factories import AccountFactory, BookingFactory, FunctionalLocationFactory, UserFactory
from tests.history import images
from tests.history.test_reports import completed_visit, make

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def endpoint(settings: Any) -> WebhookEndpoint:
    settings.DOORSTEP_WEBHOOKS_ALLOW_PRIVATE = True
    settings.DOORSTEP_BASE_URL = "https://service.example.com"
    return webhooks.save_endpoint(endpoint=WebhookEndpoint(url="http://127.0.0.1:9/hooks"))


def sent(event_type: str) -> list[dict[str, Any]]:
    return [d.payload for d in WebhookDelivery.objects.filter(event_type=event_type)]


def attach(booking: Booking, **options: Any) -> Any:
    return services.add_document(
        upload=io.BytesIO(images.PDF),
        size=len(images.PDF),
        name="invoice.pdf",
        title="Invoice 1042",
        document_type=DocumentType.INVOICE,
        booking=booking,
        **options,
    )


def test_a_document_published_through_the_api_is_document_published(
    endpoint: WebhookEndpoint, api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = BookingFactory(external_id="JOB-7")
    with django_capture_on_commit_callbacks(execute=True):
        document = attach(booking, external_id="INV-1042")
    assert sent("document.published") == []  # office only: nothing to tell yet

    api.call("POST", f"/api/v1/documents/{document.pk}/publish", {})

    [event] = sent("document.published")
    data = event["data"]
    assert data["document"]["id"] == document.pk
    assert data["document"]["external_id"] == "INV-1042"
    assert data["document"]["url"] == (
        f"https://service.example.com/api/v1/documents/{document.pk}"
    )
    assert data["document"]["file_url"].endswith(f"/api/v1/documents/{document.pk}/file")
    assert data["booking"]["external_id"] == "JOB-7"
    assert event["actor"]["type"] == "api"


def test_a_document_uploaded_for_the_customer_by_staff_is_published_at_once(
    endpoint: WebhookEndpoint, django_capture_on_commit_callbacks: Capture
) -> None:
    account = AccountFactory(external_id="CUST-3")
    site = FunctionalLocationFactory(account=account)
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_document(
            upload=io.BytesIO(images.PDF),
            size=len(images.PDF),
            name="certificate.pdf",
            title="Gas safety certificate",
            document_type=DocumentType.CERTIFICATE,
            site=site,
            visibility=Visibility.CUSTOMER,
            uploaded_by=staff,
        )

    [event] = sent("document.published")
    assert event["data"]["document"]["site"] == site.pk
    assert event["data"]["document"]["account_external_id"] == "CUST-3"
    assert event["data"]["booking"] is None
    assert event["actor"] == {"type": "staff", "id": staff.pk}


def test_a_completed_visits_report_and_its_correction_are_visit_report_ready(
    endpoint: WebhookEndpoint, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)
    first = make(django_capture_on_commit_callbacks, booking)
    corrected = make(django_capture_on_commit_callbacks, booking, correction="Wrong part name")

    events_sent = sorted(sent("visit.report_ready"), key=lambda event: event["sequence"])
    assert [e["data"]["report"]["id"] for e in events_sent] == [first.pk, corrected.pk]
    assert events_sent[1]["data"]["report"]["supersedes"] == first.pk
    assert events_sent[1]["data"]["report"]["version"] == 2


def test_a_service_report_made_is_visit_report_ready(endpoint: WebhookEndpoint) -> None:
    booking = BookingFactory(status=BookingStatus.COMPLETED, completed_at=timezone.now())
    with transaction.atomic():
        report = ServiceReport.objects.create(booking=booking, sha256="ab" * 32)
        events.publish(
            "history.report_ready", booking_id=booking.pk, report_id=report.pk, version=1
        )

    [event] = sent("visit.report_ready")
    assert event["data"]["booking"]["id"] == booking.pk
    assert event["data"]["report"]["version"] == 1
    assert event["data"]["report"]["sha256"] == "ab" * 32
    assert event["data"]["report"]["file_url"].endswith(f"/api/v1/service-reports/{report.pk}/file")
    assert event["actor"]["type"] == "system"


def test_an_endpoint_may_ask_for_only_these_events(
    api_for: Callable[..., ApiClient], settings: Any
) -> None:
    settings.DOORSTEP_WEBHOOKS_ALLOW_PRIVATE = True
    hooks = api_for(scopes={Scope.WEBHOOKS})
    wanted = ["document.published", "visit.report_ready"]
    response = hooks.call(
        "POST", "/api/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/in", "event_types": wanted}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["event_types"] == wanted
