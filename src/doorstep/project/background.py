"""The background half of `doorstep serve`: a task worker and the periodic scheduler.

Both run in threads of the web server's process, so the embedded install is one
process. `doorstep worker` runs the same worker on its own for scale-out.

A worker with nothing to do looks at the queue again after its interval, or at once
when a task is enqueued: a task enqueued in its own process wakes it directly, and on
PostgreSQL every enqueue also sends a NOTIFY that wakes the workers of other processes
(`announce_enqueued`). So a message or a webhook written by a booking leaves within
milliseconds of the commit, and the interval is only the backstop for a lost wake-up.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from django.apps import apps
from django.db import close_old_connections, connections, router, transaction
from django.utils.module_loading import module_has_submodule
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from doorstep.core.processes import worker_id

logger = logging.getLogger(__name__)

LOCK_RETRY_SECONDS = 30
WORKER_RESTART_SECONDS = 5
LISTEN_RETRY_SECONDS = 5
WAKE_CHANNEL = "doorstep_tasks"

# The wake-up of every worker running in this process.
_idle_workers: set[threading.Event] = set()
_idle_workers_lock = threading.Lock()


def describe_database() -> str:
    """Which database this process uses, without its password: for start-up messages."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "local socket"
    return f"{connection.vendor} database {settings_dict['NAME']} on {host}"


def announce_enqueued(sender: object, **kwargs: object) -> None:
    """Wake the workers once a task is enqueued (connected to `task_enqueued`)."""
    using = router.db_for_write(DBTaskResult)
    # A task enqueued inside a transaction is in the queue only once it commits.
    transaction.on_commit(wake_workers_here, using=using)
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Delivered to the listeners when the transaction commits, and never if it rolls back.
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {WAKE_CHANNEL}")


def wake_workers_here() -> None:
    with _idle_workers_lock:
        for wakeup in _idle_workers:
            wakeup.set()


class _QuietBatches(logging.Filter):
    """The worker runs the library's worker in batches (one per wake-up); its lines for
    starting and ending each batch would fill the log every second."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Starting worker", "No more tasks to run"))


logging.getLogger("django_tasks_db").addFilter(_QuietBatches())


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


class WakingWorker:
    """The database queue's worker, run until stopped: it runs what is queued, then waits
    for a wake-up (`announce_enqueued`) or `interval` seconds, whichever comes first."""

    def __init__(self, *, interval: float = 1.0) -> None:
        self.interval = interval
        # Batch mode: the library's worker returns once the queue is empty, and the wait
        # between two looks at the queue is this class's, so a wake-up can cut it short.
        self.worker = make_worker(interval=interval, batch=True)
        self._wakeup = threading.Event()
        self._stopped = threading.Event()

    @property
    def worker_id(self) -> str:
        return self.worker.worker_id

    def configure_signals(self) -> None:
        self.worker.configure_signals()

    def run(self) -> None:
        listener = NotifyListener(self._wakeup, using=router.db_for_write(DBTaskResult))
        if listener.available:
            listener.start()
        with _idle_workers_lock:
            _idle_workers.add(self._wakeup)
        try:
            self._run_until_stopped()
        finally:
            with _idle_workers_lock:
                _idle_workers.discard(self._wakeup)
            listener.stop()

    def _run_until_stopped(self) -> None:
        while self.worker.running:
            # Cleared before looking, so a task enqueued while the queue is being emptied
            # cuts the next wait short instead of waiting out the interval.
            self._wakeup.clear()
            try:
                self.worker.run()
            except Exception:
                # A database error the worker does not expect (a PostgreSQL restart, say):
                # start again after a pause rather than run with no worker.
                logger.exception(
                    "The background task worker failed; restarting in %ds", WORKER_RESTART_SECONDS
                )
                self._stopped.wait(WORKER_RESTART_SECONDS)
                continue
            finally:
                close_old_connections()
            if self.worker.running:
                self._wakeup.wait(self.interval)

    def stop(self) -> None:
        self.worker.running = False
        self._stopped.set()
        self._wakeup.set()


class NotifyListener(threading.Thread):
    """On PostgreSQL, listens on its own connection for the NOTIFY of tasks enqueued by
    any process, and sets `wakeup` for each. Elsewhere it is not `available`, and the
    worker's interval is what finds tasks enqueued by other processes."""

    def __init__(self, wakeup: threading.Event, *, using: str) -> None:
        super().__init__(name="doorstep-worker-listener", daemon=True)
        self.wakeup = wakeup
        self.using = using
        self.available = connections[using].vendor == "postgresql"
        self._stopped = threading.Event()

    def run(self) -> None:
        import psycopg

        while not self._stopped.is_set():
            try:
                params = connections[self.using].get_connection_params()
                params.pop("pool", None)
                with psycopg.connect(**params, autocommit=True) as listening:
                    listening.execute(f"LISTEN {WAKE_CHANNEL}")
                    while not self._stopped.is_set():
                        for _notify in listening.notifies(timeout=1.0):
                            self.wakeup.set()
            except Exception:
                # The worker's interval still finds every task meanwhile.
                logger.warning(
                    "The worker lost its wake-up connection; retrying in %ds",
                    LISTEN_RETRY_SECONDS,
                    exc_info=True,
                )
                self._stopped.wait(LISTEN_RETRY_SECONDS)

    def stop(self) -> None:
        self._stopped.set()


class WorkerThread(threading.Thread):
    """`WakingWorker` in a thread of `doorstep serve`."""

    def __init__(self, *, interval: float = 1.0) -> None:
        super().__init__(name="doorstep-worker", daemon=True)
        self.waking = WakingWorker(interval=interval)
        self.worker = self.waking.worker

    def run(self) -> None:
        self.waking.run()

    def stop(self) -> None:
        self.waking.stop()


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
