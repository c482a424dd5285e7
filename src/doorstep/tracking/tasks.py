"""Background work of tracking."""

from __future__ import annotations

import logging

from crontask import cron
from django.tasks import task

from doorstep.tracking import services

logger = logging.getLogger(__name__)


@cron("37 4 * * *")
@task
def purge_old_pings() -> int:
    """Delete location pings older than DOORSTEP_PING_RETENTION_DAYS (daily)."""
    deleted = services.purge_old_pings()
    logger.info("Purged %d old location pings", deleted)
    return deleted
