"""Codes issued before they kept their message are matched to it where that is certain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from doorstep.access.models import VisitLink
from tests.factories import BookingFactory, ContactFactory

BEFORE = [("access", "0002_api_key_scopes_and_expiry")]
AFTER = [("access", "0003_visit_link_message")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture(autouse=True)
def back_to_the_latest_schema() -> Iterator[None]:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield
    migrate(latest)


@pytest.mark.django_db(transaction=True)
def test_a_code_is_matched_to_the_message_being_sent_when_it_was_issued() -> None:
    contact = ContactFactory()
    booking = BookingFactory(work_order__account=contact.account)
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    notification = old.get_model("notifications", "Notification")
    attempt = old.get_model("notifications", "DeliveryAttempt")
    link = old.get_model("access", "VisitLink")
    now = timezone.now()
    rows = {}
    for channel, sent_at in (("email", now - timedelta(hours=2)), ("sms", now)):
        rows[channel] = notification.objects.create(
            booking_id=booking.pk,
            contact_id=contact.pk,
            message_type="reminder",
            channel=channel,
            idempotency_key=f"reminder:{channel}",
            created_at=sent_at,
        )
        attempt.objects.create(
            notification=rows[channel],
            started_at=sent_at,
            finished_at=sent_at + timedelta(seconds=2),
            worker="w",
        )
        link.objects.create(
            booking_id=booking.pk,
            contact_id=contact.pk,
            code_hash=channel * 10,
            created_at=sent_at + timedelta(seconds=1),
        )
    unknown = link.objects.create(
        booking_id=booking.pk,
        contact_id=contact.pk,
        code_hash="x" * 40,
        created_at=now - timedelta(days=1),
    )

    migrate(AFTER)

    assert VisitLink.objects.get(code_hash="email" * 10).notification_id == rows["email"].pk
    assert VisitLink.objects.get(code_hash="sms" * 10).notification_id == rows["sms"].pk
    assert VisitLink.objects.get(pk=unknown.pk).notification_id is None
