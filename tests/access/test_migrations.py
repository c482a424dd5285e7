"""Moving invitations, visit links and API keys into the access app keeps every row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from doorstep.access.models import ApiKey, Invitation, VisitLink
from doorstep.notifications.models import Notification
from tests.factories import BookingFactory, ContactFactory

BEFORE = [("notifications", "0005_invitation_messages"), ("api", "0001_initial")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_rows_stay_and_staff_permissions_follow_them() -> None:
    contact = ContactFactory()
    booking = BookingFactory()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate([*BEFORE, ("access", None)]).loader.project_state(BEFORE).apps
    now = timezone.now()
    invitation = old.get_model("notifications", "Invitation").objects.create(
        contact_id=contact.pk,
        email="pat@example.test",
        code_hash="a" * 64,
        created_at=now,
        expires_at=now + timedelta(days=14),
    )
    old.get_model("notifications", "Notification").objects.create(
        invitation_id=invitation.pk,
        message_type="invitation",
        channel="email",
        address="pat@example.test",
        idempotency_key=f"invitation:{invitation.pk}",
        created_at=now,
    )
    old.get_model("notifications", "VisitLink").objects.create(
        booking_id=booking.pk, code_hash="b" * 64, created_at=now
    )
    old.get_model("api", "ApiKey").objects.create(name="Dispatch", prefix="ds_x", key_hash="c" * 64)
    content_type = old.get_model("contenttypes", "ContentType")
    permission = old.get_model("auth", "Permission")
    for app, model in [("notifications", "invitation"), ("api", "apikey")]:
        kind, _ = content_type.objects.get_or_create(app_label=app, model=model)
        permission.objects.get_or_create(
            content_type=kind, codename=f"view_{model}", defaults={"name": f"Can view {model}"}
        )

    migrate(latest)

    moved = Invitation.objects.get()
    assert (moved.email, moved.contact_id) == ("pat@example.test", contact.pk)
    assert Notification.objects.get().invitation == moved
    assert VisitLink.objects.get().booking_id == booking.pk
    assert ApiKey.objects.get().name == "Dispatch"
    from django.contrib.auth.models import Permission

    assert set(
        Permission.objects.filter(codename__in=["view_invitation", "view_apikey"]).values_list(
            "content_type__app_label", flat=True
        )
    ) == {"access"}
