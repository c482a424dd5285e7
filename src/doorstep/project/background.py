"""The background half of `doorstep serve`: a task worker and the periodic scheduler.

Both run in threads of the web server's process, so the embedded install is one
process. `doorstep worker` runs the same worker on its own for scale-out.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from django.apps import apps
from django.db import close_old_connections
from django.utils.module_loading import module_has_submodule
from django_tasks_db.management.commands.db_worker import Worker

from doorstep.core.processes import worker_id

logger = logging.getLogger(__name__)

LOCK_RETRY_SECONDS = 30
WORKER_RESTART_SECONDS = 5


def describe_database() -> str:
    """Which database this process uses, without its password: for start-up messages."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "local socket"
    return f"{connection.vendor} database {settings_dict['NAME']} on {host}"


def make_worker(*, interval: float = 1.0, batch: bool = False) -> Worker:
    """A worker for every queue of the database task backend."""
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id("worker"),
        excluded_queue_names=[],
    )


class WorkerThread(threading.Thread):
    def __init__(self, *, interval: float = 1.0) -> None:
        super().__init__(name="doorstep-worker", daemon=True)
        self.worker = make_worker(interval=interval)
        self._stopped = threading.Event()

    def run(self) -> None:
        # The worker loop ends on a database error it does not expect (a PostgreSQL
        # restart, say); start it again after a pause rather than serve with no worker.
        while self.worker.running:
            try:
                self.worker.run()
            except Exception:
                logger.exception(
                    "The background task worker failed; restarting in %ds", WORKER_RESTART_SECONDS
                )
                self._stopped.wait(WORKER_RESTART_SECONDS)
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.worker.running = False
        self._stopped.set()


def load_periodic_tasks() -> None:
    """Import every app's tasks module, which registers its @cron schedules."""
    for app in apps.get_app_configs():
        if app.name == "crontask":
            continue  # its per-minute heartbeat only fills the queue
        if module_has_submodule(app.module, "tasks"):
            importlib.import_module(f"{app.name}.tasks")


def with_fresh_connection(enqueue: Callable[[], object]) -> Callable[[], object]:
    """Run `enqueue` on a usable database connection.

    APScheduler calls jobs from its own thread pool, whose threads keep their database
    connections; after a database restart those would fail every job until the process
    restarts.
    """

    def run() -> object:
        close_old_connections()
        try:
            return enqueue()
        finally:
            close_old_connections()

    return run


class SchedulerThread(threading.Thread):
    """Runs crontask's schedule, enqueueing each periodic task when it is due.

    With Redis configured, only the process that holds crontask's lock schedules; the
    others wait and take over if it goes away, so several `doorstep serve` processes
    never enqueue the same daily job twice.
    """

    def __init__(self) -> None:
        super().__init__(name="doorstep-scheduler", daemon=True)
        self._stop_event = threading.Event()

    def run(self) -> None:
        from crontask import scheduler as cron_schedule
        from crontask import utils

        try:
            load_periodic_tasks()
        except Exception:
            logger.exception("Periodic tasks could not be loaded; the scheduler is not running")
            return
        while not self._stop_event.is_set():
            try:
                with utils.lock as lock:
                    self._run_schedule(cron_schedule, lock, utils)
            except utils.LockError:
                logger.debug("Another process runs the scheduler; waiting to take over")
                self._stop_event.wait(LOCK_RETRY_SECONDS)
            except Exception:
                logger.exception("The scheduler failed; restarting it")
                self._stop_event.wait(LOCK_RETRY_SECONDS)

    def _run_schedule(self, cron_schedule: object, lock: object, utils: object) -> None:
        # crontask keeps its jobs on a blocking scheduler meant to own a whole process;
        # copy them onto a background scheduler that lives in this thread instead.
        scheduler = BackgroundScheduler(timezone="UTC")
        for job in cron_schedule.get_jobs():  # type: ignore[attr-defined]
            scheduler.add_job(with_fresh_connection(job.func), trigger=job.trigger, name=job.name)
        lost_lock = threading.Event()

        def keep_lock() -> None:
            try:
                lock.extend(30, True)  # type: ignore[attr-defined]
            except utils.LockError:  # type: ignore[attr-defined]
                lost_lock.set()

        scheduler.add_job(keep_lock, "interval", seconds=5, name="keep scheduler lock")
        scheduler.start()
        logger.info("Scheduler started with %d periodic tasks", len(scheduler.get_jobs()) - 1)
        try:
            while not self._stop_event.is_set() and not lost_lock.is_set():
                self._stop_event.wait(1)
        finally:
            scheduler.shutdown(wait=False)

    def stop(self) -> None:
        self._stop_event.set()
