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
