"""Background work of notifications."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from doorstep.notifications import services


@cron("23 * * * *")
@task
def invite_existing_contacts() -> int:
    """With "invite all existing contacts too": invite those never invited (hourly, and on save)."""
    return services.invite_existing_contacts()


@cron("* * * * *")
@task
def send_notifications() -> int:
    """Send what is due in the outbox (also enqueued right after messages are written)."""
    from doorstep.notifications.sending import send_due
    from doorstep.project.background import worker_id

    total = 0
    while (result := send_due(worker=worker_id("notifications"))).claimed:
        total += result.sent
    return total
