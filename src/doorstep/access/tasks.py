"""Background work of access: inviting the contacts that were never invited."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from doorstep.access import invitations


@cron("23 * * * *")
@task
def invite_existing_contacts() -> int:
    """With "invite all existing contacts too": invite those never invited (hourly, and on save)."""
    return invitations.invite_existing_contacts()
