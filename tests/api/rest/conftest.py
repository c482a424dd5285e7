from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import time
from typing import Any

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from doorstep.access.api_keys import issue_api_key
from doorstep.access.models import Scope
from doorstep.access.visit_links import issue_visit_link
from doorstep.configuration.models import PortalSettings
from doorstep.notifications.models import Channel, MessageType, Notification
from doorstep.scheduling.models import Booking, VisitFeedback
from tests.factories import (
    AccountFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    TimelineNoteFactory,
    UserFactory,
    WorkingHoursFactory,
)


class ApiClient(Client):
    """A client that sends JSON and an API key, as an integration does."""

    def __init__(self, key: str | None, **options: Any) -> None:
        super().__init__(**options)
        self.key = key

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        if self.key is not None:
            headers.setdefault("Authorization", f"Bearer {self.key}")
        send = getattr(self, method.lower())
        if body is None:
            return send(path, headers=headers)
        return send(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def api_for(db: None) -> Callable[..., ApiClient]:
    # Keys' ids are reused after each test's rollback: their rate counters from earlier
    # tests must not count.
    cache.clear()

    def make(scopes: Collection[Scope] = (Scope.READ, Scope.WRITE)) -> ApiClient:
        _, key = issue_api_key(name="Dispatch system", scopes=scopes)
        return ApiClient(key)

    return make


@pytest.fixture
def api(api_for: Callable[..., ApiClient]) -> ApiClient:
    return api_for()


def a_visit_with_its_records() -> Booking:
    """A visit with a comment, a message, a visit link and the customer's rating: one of
    each record the API reads about visits."""
    booking = BookingFactory()
    contact = ContactFactory(account=booking.work_order.account)
    TimelineNoteFactory(work_order=booking.work_order, text="Gate code 1234")
    message = Notification.objects.create(
        booking=booking,
        contact=contact,
        message_type=MessageType.values[0],
        channel=Channel.EMAIL,
        address=contact.email,
        subject="Your visit",
        idempotency_key=f"test-{booking.pk}",
        created_at=timezone.now(),
    )
    issue_visit_link(booking=booking, contact=contact, notification_id=message.pk)
    VisitFeedback.objects.create(booking=booking, rating=5, comment="Quick", given_by=contact)
    return booking


def bookable_world(technicians: int = 1) -> dict[str, Any]:
    """A service type that technicians can do any day, 08:00–17:00, for a Denver customer
    (the first technician is `technician`)."""
    portal = PortalSettings.load()
    portal.minimum_lead_days, portal.maximum_lead_days, portal.slot_length_minutes = 1, 14, 60
    portal.save()
    service = IncidentTypeFactory(estimated_duration_minutes=60)
    requirement = IncidentTypeSkillFactory(incident_type=service, minimum_proficiency=2)
    team = ResourceFactory.create_batch(technicians)
    for technician in team:
        ResourceSkillFactory(resource=technician, skill=requirement.skill, proficiency=3)
        for weekday in range(7):
            WorkingHoursFactory(
                resource=technician, weekday=weekday, start_time=time(8), end_time=time(17)
            )
    contact = ContactFactory(user=UserFactory(), account=AccountFactory(time_zone="America/Denver"))
    return {"service": service, "technician": team[0], "contact": contact}


@pytest.fixture(autouse=True)
def connection_kept_across_wsgi_calls() -> Iterator[None]:
    """Schemathesis calls the WSGI application itself, not through Django's test client,
    so Django would close the database connection after each request, and with it the
    test's transaction (on PostgreSQL). The test client keeps it open in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
