"""Background work of the service history: the service report of each completed visit."""

from __future__ import annotations

import logging
from datetime import timedelta

from crontask import cron
from django.tasks import task
from django.utils import timezone

from doorstep.history import reports, retention
from doorstep.history.models import ServiceReport
from doorstep.scheduling.models import Booking, BookingStatus

logger = logging.getLogger(__name__)

# Visits completed this long ago or less get their missing report made by the catch-up
# (a worker stopped between the completion and its report, say); older ones are left as
# they are, so a new install does not draw years of reports at its first start.
CATCH_UP = timedelta(days=3)
CATCH_UP_BATCH = 20


@task
def make_service_report(booking_id: int) -> int | None:
    """Make the report of a visit just completed; its id (None if it cannot be made)."""
    return _make(booking_id)


def _make(booking_id: int) -> int | None:
    try:
        return reports.make_report(booking_id).pk
    except reports.ReportRefused as refusal:
        logger.info("No report for visit %s: %s", booking_id, refusal)
        return None


@cron("*/10 * * * *")
@task
def make_missing_service_reports() -> int:
    """Reports of recently completed visits that have none yet: the count made."""
    since = timezone.now() - CATCH_UP
    missing = (
        Booking.objects.filter(status=BookingStatus.COMPLETED, completed_at__gte=since)
        .exclude(pk__in=ServiceReport.objects.values("booking_id"))
        .order_by("completed_at")
        .values_list("pk", flat=True)[:CATCH_UP_BATCH]
    )
    made = 0
    for booking_id in missing:
        if _make(booking_id) is not None:
            made += 1
    return made


@cron("41 2 * * *")
@task
def delete_expired_history() -> int:
    """The daily retention run (retention.py): nothing unless DOORSTEP_HISTORY_RETENTION_DAYS
    is set; the number of files' rows deleted."""
    days = retention.retention_days()
    if days is None:
        return 0
    deleted = retention.delete_old_files(days=days)
    logger.info("Retention: %s files of visits completed over %s days ago deleted", deleted, days)
    return deleted
