"""Periodic housekeeping. The scheduler enqueues these; any worker runs them."""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta
from importlib import import_module

from crontask import cron
from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doorstep.notifications.callbacks import settle_early_reports

logger = logging.getLogger(__name__)

FINISHED_TASK_RESULTS_KEPT_DAYS = 14
# A task still Running after this long was left by a worker that stopped (a kill, a lost
# machine): no task of ours runs this long (the sender hands over after seconds).
STUCK_TASK_AFTER = timedelta(minutes=30)
# Runs a task may start before it counts as the cause rather than the victim of its
# workers' deaths (memory, say), and is failed instead of started again.
MAX_TASK_RUNS = 3
EARLY_REPORTS_KEPT = timedelta(days=1)


class WorkerStopped(Exception):
    """The worker running a task stopped before the task finished, once too often."""


@cron(settings.DOORSTEP_SESSION_PURGE_CRON)
@task
def purge_expired_sessions() -> int:
    """Delete expired sign-in sessions, which Django refuses anyway but never removes."""
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if store_class.__module__.endswith((".db", ".cached_db")):
        # The database store, read through the cache or not: count what goes, so the log
        # says something useful.
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


@cron("*/5 * * * *")
@task
def recover_stuck_tasks() -> int:
    """Start again the tasks a stopped worker left Running; fail those it left too often.

    Tasks take ids and call services that can run twice (the sender settles what a stopped
    worker half-did), so starting one again is safe; a task that every worker dies on is
    failed, with the reason, after MAX_TASK_RUNS.
    """
    now = timezone.now()
    recovered = 0
    for stuck in DBTaskResult.objects.running().filter(started_at__lt=now - STUCK_TASK_AFTER):
        # Conditional on what was read: a worker that finishes it meanwhile wins.
        same_run = DBTaskResult.objects.filter(
            pk=stuck.pk, status=TaskResultStatus.RUNNING, started_at=stuck.started_at
        )
        if len(stuck.worker_ids) >= MAX_TASK_RUNS:
            error = WorkerStopped(
                f"{len(stuck.worker_ids)} workers stopped while running this task "
                f"({', '.join(stuck.worker_ids)}); it is not started again."
            )
            changed = same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{__name__}.{WorkerStopped.__qualname__}",
                traceback="".join(traceback.format_exception_only(error)),
            )
        else:
            changed = same_run.update(status=TaskResultStatus.READY, started_at=None)
        if changed:
            logger.warning(
                "Task %s (%s) was left running by worker %s since %s: %s",
                stuck.pk,
                stuck.task_path,
                stuck.worker_ids[-1] if stuck.worker_ids else "?",
                stuck.started_at,
                "failed" if len(stuck.worker_ids) >= MAX_TASK_RUNS else "queued again",
            )
        recovered += changed
    return recovered


@cron("17 * * * *")
@task
def forget_early_delivery_reports() -> int:
    """Apply kept delivery reports whose message has come; drop those kept for a day."""
    applied, forgotten = settle_early_reports(received_before=timezone.now() - EARLY_REPORTS_KEPT)
    logger.info("Delivery reports kept early: %d applied, %d forgotten", applied, forgotten)
    return forgotten
