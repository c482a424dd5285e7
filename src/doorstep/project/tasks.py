"""Periodic housekeeping. The scheduler enqueues these; any worker runs them."""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module

from crontask import cron
from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

FINISHED_TASK_RESULTS_KEPT_DAYS = 14


@cron(settings.DOORSTEP_SESSION_PURGE_CRON)
@task
def purge_expired_sessions() -> int:
    """Delete expired sign-in sessions, which Django refuses anyway but never removes."""
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if store_class.__module__.endswith(".db"):
        # The database store: count what goes, so the log says something useful.
        from django.contrib.sessions.models import Session

        deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    else:
        store_class.clear_expired()
        deleted = 0
    logger.info("Purged %d expired sessions", deleted)
    return deleted


@cron("47 3 * * *")
@task
def prune_finished_task_results() -> int:
    """Forget background tasks that finished more than two weeks ago."""
    cutoff = timezone.now() - timedelta(days=FINISHED_TASK_RESULTS_KEPT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    logger.info("Pruned %d finished task results", deleted)
    return deleted
