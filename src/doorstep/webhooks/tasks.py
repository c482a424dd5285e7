"""Background work of webhooks: sending the outbox."""

from __future__ import annotations

import time

from crontask import cron
from django.tasks import task

from doorstep.core.processes import worker_id
from doorstep.webhooks import sending


@cron("* * * * *")
@task
def send_webhooks() -> int:
    """Send what is due (also enqueued right after deliveries are written), for one turn;
    what is left goes to a new run, so a worker asked to stop stops between two posts."""
    stop_at = time.monotonic() + sending.SENDING_TURN.total_seconds()
    total = 0
    while (result := sending.send_due(worker=worker_id("webhooks"), stop_at=stop_at)).claimed:
        total += result.delivered
        if time.monotonic() >= stop_at:
            send_webhooks.enqueue()
            break
    return total
