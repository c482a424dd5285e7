"""Background work of notifications: sending the outbox, and the daily reminders."""

from __future__ import annotations

import time

from crontask import cron
from django.tasks import task

from doorstep.core.processes import worker_id
from doorstep.notifications import sending
from doorstep.notifications.reminders import run_due_reminders


@cron("* * * * *")
@task
def send_notifications() -> int:
    """Send what is due in the outbox (also enqueued right after messages are written).

    For one turn (sending.SENDING_TURN), then what is left goes to a new run, so that a
    worker asked to stop stops between two messages rather than being killed mid-message.
    """
    stop_at = time.monotonic() + sending.SENDING_TURN.total_seconds()
    total = 0
    while (result := sending.send_due(worker=worker_id("notifications"), stop_at=stop_at)).claimed:
        total += result.sent
        if time.monotonic() >= stop_at:
            send_notifications.enqueue()
            break
    return total


# Every minute rather than once a day at a fixed time: the time lives in the portal
# settings, where staff may change it without a restart, and a day the server was down
# at that time is caught up at the first check after.
@cron("* * * * *")
@task
def remind_when_due() -> int:
    """Run the daily reminder job once its time of day has come; the reminders written."""
    run = run_due_reminders()
    return run.messages + run.skipped if run else 0
