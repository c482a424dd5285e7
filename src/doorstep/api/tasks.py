"""Background work of the API: forgetting idempotency keys once their day is over."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from doorstep.api.rest import idempotency


@cron("37 3 * * *")
@task
def purge_idempotency_keys() -> int:
    """Delete idempotency keys (and the answers they hold) older than a day."""
    return idempotency.forget_expired()
