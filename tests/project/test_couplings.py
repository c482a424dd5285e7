"""Where Doorstep leans on parts of libraries that their authors do not promise to keep.

One smoke test a coupling: when a new version in requirements/*.txt changes what the code
relies on, `make test` fails here with a message that names the library, what changed and
which module of ours to look at; the upper bounds in pyproject.toml name the same places.
"""

from __future__ import annotations

import inspect
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer
from django.tasks import Task
from django.tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from routingpy import exceptions  # type: ignore[import-untyped]
from routingpy.client_default import Client  # type: ignore[import-untyped]
from routingpy.routers import OSRM, Valhalla  # type: ignore[import-untyped]

from doorstep.core import channel_layer
from doorstep.core.channel_layer import SweepingInMemoryChannelLayer
from doorstep.project import background
from doorstep.project.tasks import purge_expired_sessions
from doorstep.tracking.eta.routing_server import OneAttemptClient, router_options


def changed(distribution: str, what: str, ours: str) -> str:
    """The failure message: which library, what changed in it, which module relies on it."""
    return (
        f"{distribution} {version(distribution)} changed under Doorstep: {what}. "
        f"Adapt {ours} (and its bound in pyproject.toml) before taking this version."
    )


def wait_for(condition: Callable[[], bool], *, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


# channels: core/channel_layer.py throttles InMemoryChannelLayer._clean_expired.

CHANNEL_LAYER = "doorstep/core/channel_layer.py"


def test_channels_in_memory_layer_still_has_clean_expired() -> None:
    method = getattr(InMemoryChannelLayer, "_clean_expired", None)

    assert callable(method), changed(
        "channels", "InMemoryChannelLayer._clean_expired is gone", CHANNEL_LAYER
    )
    assert list(inspect.signature(method).parameters) == ["self"], changed(
        "channels", "InMemoryChannelLayer._clean_expired now takes arguments", CHANNEL_LAYER
    )


def test_channels_in_memory_layer_sweeps_through_clean_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = InMemoryChannelLayer()
    sweeps: list[str] = []

    async def traffic() -> None:
        channel = await layer.new_channel()
        await layer.group_add("booking-1", channel)
        monkeypatch.setattr(layer, "_clean_expired", lambda: sweeps.append("sweep"))
        await layer.group_send("booking-1", {"type": "visit.update"})
        assert sweeps == ["sweep"], changed(
            "channels",
            "group_send no longer sweeps through _clean_expired, so the throttle misses it",
            CHANNEL_LAYER,
        )
        await layer.receive(channel)
        assert sweeps == ["sweep", "sweep"], changed(
            "channels",
            "receive no longer sweeps through _clean_expired, so the throttle misses it",
            CHANNEL_LAYER,
        )

    async_to_sync(traffic)()


def test_channels_sweep_still_drops_expired_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channel_layer.time, "monotonic", lambda: 1000.0)  # a sweep is due
    layer = SweepingInMemoryChannelLayer(expiry=-1)  # what is sent now has expired already

    async def exchange() -> dict[str, Any]:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "visit.update", "eta": "stale"})
        layer.expiry = 60
        await layer.send(channel, {"type": "visit.update", "eta": "fresh"})
        return await layer.receive(channel)  # type: ignore[no-any-return]

    assert async_to_sync(exchange)()["eta"] == "fresh", changed(
        "channels", "_clean_expired no longer drops an expired message", CHANNEL_LAYER
    )


# django-crontask and APScheduler: project/background.py copies crontask's jobs onto a
# BackgroundScheduler of its own.

BACKGROUND = "doorstep/project/background.py"


def crontask_jobs() -> list[Any]:
    from crontask import scheduler

    background.load_periodic_tasks()
    return list(scheduler.get_jobs())


def test_crontask_keeps_each_periodic_task_as_a_job_before_its_scheduler_starts() -> None:
    jobs = crontask_jobs()

    assert "purge_expired_sessions" in {job.name for job in jobs}, changed(
        "django-crontask",
        "its scheduler no longer lists the @cron tasks (by name) before it is started",
        BACKGROUND,
    )
    for job in jobs:
        enqueue = job.func
        assert isinstance(getattr(enqueue, "__self__", None), Task), changed(
            "django-crontask", f"job {job.name!r} no longer runs a task's enqueue", BACKGROUND
        )
        assert enqueue.__name__ == "enqueue", changed(
            "django-crontask", f"job {job.name!r} runs {enqueue.__name__}, not enqueue", BACKGROUND
        )
        assert isinstance(job.trigger, BaseTrigger), changed(
            "django-crontask",
            f"job {job.name!r} has a trigger that is not an APScheduler 3 trigger",
            BACKGROUND,
        )


def test_crontask_triggers_schedule_on_a_background_scheduler() -> None:
    jobs = crontask_jobs()
    assert jobs
    scheduler = BackgroundScheduler(timezone="UTC")
    for job in jobs:
        scheduler.add_job(job.func, trigger=job.trigger, name=job.name)
    scheduler.start(paused=True)
    try:
        copies = scheduler.get_jobs()
    finally:
        scheduler.shutdown(wait=False)

    assert sorted(copy.name for copy in copies) == sorted(job.name for job in jobs)
    for copy in copies:
        assert isinstance(copy.next_run_time, datetime), changed(
            "apscheduler",
            f"crontask's trigger for {copy.name!r} gives a BackgroundScheduler no next run",
            BACKGROUND,
        )


@pytest.mark.django_db(transaction=True)
def test_copied_crontask_jobs_enqueue_their_tasks_from_the_scheduler_threads() -> None:
    jobs = crontask_jobs()
    ran: list[str] = []

    def copy(job: Any) -> Callable[[], None]:
        enqueue = background.with_fresh_connection(job.func)  # as SchedulerThread copies it

        def run() -> None:
            enqueue()
            ran.append(job.name)

        return run

    scheduler = BackgroundScheduler(timezone="UTC")
    for job in jobs:  # due at once instead of at their hour
        scheduler.add_job(copy(job), trigger="date", run_date=datetime.now(UTC), name=job.name)
    scheduler.start()
    try:
        # Waiting on the list, not the database: SQLite's shared in-memory test database
        # refuses a read while another thread writes.
        wait_for(lambda: len(ran) == len(jobs))
    finally:
        scheduler.shutdown(wait=True)

    assert sorted(ran) == sorted(job.name for job in jobs), changed(
        "apscheduler", f"of {len(jobs)} copied jobs, only {sorted(ran)} ran", BACKGROUND
    )
    enqueued = DBTaskResult.objects.values_list("task_path", flat=True)
    assert {path.rsplit(".", 1)[-1] for path in enqueued} == set(ran), changed(
        "django-crontask", "its jobs no longer enqueue the task they are named for", BACKGROUND
    )


def test_crontask_lock_extends_as_the_scheduler_thread_asks() -> None:
    from crontask import utils

    assert issubclass(utils.LockError, Exception), changed(
        "django-crontask", "utils.LockError is no exception class", BACKGROUND
    )
    for name in ("__enter__", "__exit__", "extend"):
        assert callable(getattr(utils.lock, name, None)), changed(
            "django-crontask", f"utils.lock has no {name}", BACKGROUND
        )
    try:
        inspect.signature(utils.lock.extend).bind(30, True)
    except TypeError as error:
        pytest.fail(
            changed(
                "django-crontask", f"utils.lock.extend(30, True) is refused: {error}", BACKGROUND
            )
        )


# django-tasks-db: project/background.py builds the db_worker command's Worker by hand.


def test_django_tasks_db_worker_is_built_with_the_arguments_doorstep_gives() -> None:
    try:
        worker = background.make_worker(interval=0.5)
    except TypeError as error:
        pytest.fail(
            changed("django-tasks-db", f"Worker(...) refuses its arguments: {error}", BACKGROUND)
        )

    assert isinstance(worker, Worker)
    assert worker.running is True, changed(
        "django-tasks-db", "a new Worker's `running` is not True", BACKGROUND
    )
    assert worker.worker_id.startswith("worker"), changed(
        "django-tasks-db", "Worker keeps its id elsewhere than `worker_id`", BACKGROUND
    )
    for method in ("run", "configure_signals"):
        assert callable(getattr(worker, method, None)), changed(
            "django-tasks-db", f"Worker has no {method}()", BACKGROUND
        )


@pytest.mark.django_db(transaction=True)
def test_worker_thread_runs_a_queued_task_and_stops_when_told() -> None:
    finished = threading.Event()

    def note(sender: object, task_result: Any, **kwargs: Any) -> None:
        finished.set()

    # Waiting on the signal, not the database: SQLite's shared in-memory test database
    # refuses a read while the worker writes.
    task_finished.connect(note, dispatch_uid="test_couplings")
    result = purge_expired_sessions.enqueue()
    thread = background.WorkerThread(interval=0.05)
    thread.start()
    try:
        finished.wait(timeout=10)
    finally:
        thread.stop()
        thread.join(timeout=5)
        task_finished.disconnect(dispatch_uid="test_couplings")

    assert not thread.is_alive(), changed(
        "django-tasks-db", "Worker.run() no longer ends once `running` is False", BACKGROUND
    )
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL", changed(
        "django-tasks-db", "Worker.run() no longer runs a queued task", BACKGROUND
    )


# routingpy: tracking/eta/routing_server.py overrides Client._request to ask only once.

ROUTING_SERVER = "doorstep/tracking/eta/routing_server.py"


def test_routingpy_client_request_keeps_the_signature_that_is_overridden() -> None:
    ours = list(inspect.signature(OneAttemptClient._request).parameters)
    theirs = list(inspect.signature(Client._request).parameters)

    assert theirs == ours, changed(
        "routingpy", f"Client._request takes {theirs}, the override takes {ours}", ROUTING_SERVER
    )


class Asked(Exception):
    pass


@pytest.mark.parametrize(
    ("router_class", "profile"), [(OSRM, "driving"), (Valhalla, "auto")], ids=["osrm", "valhalla"]
)
def test_routingpy_routers_send_their_requests_through_client_request(
    monkeypatch: pytest.MonkeyPatch, router_class: Any, profile: str
) -> None:
    def record(self: Client, url: str, *args: Any, **kwargs: Any) -> Any:
        raise Asked(url)

    monkeypatch.setattr(OneAttemptClient, "_request", record)
    router = router_class(base_url="http://127.0.0.1:9", **router_options(1.0))

    assert isinstance(router.client, OneAttemptClient), changed(
        "routingpy", f"{router_class.__name__} no longer takes its client class", ROUTING_SERVER
    )
    try:
        router.directions(locations=[[-104.99, 39.74], [-104.98, 39.75]], profile=profile)
    except Asked:
        pass
    else:
        pytest.fail(
            changed(
                "routingpy",
                f"{router_class.__name__}.directions no longer asks through client._request",
                ROUTING_SERVER,
            )
        )


@pytest.fixture
def unavailable_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that answers 503 to everything, and the paths asked."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    httpd.shutdown()
    httpd.server_close()


def test_routingpy_retries_through_client_request_which_asks_once(
    monkeypatch: pytest.MonkeyPatch, unavailable_server: tuple[str, list[str]]
) -> None:
    url, asked = unavailable_server
    counters: list[int] = []
    one_attempt = OneAttemptClient._request

    def counted(self: Client, *args: Any, **kwargs: Any) -> Any:
        counters.append(kwargs.get("retry_counter", args[4] if len(args) > 4 else 0))
        return one_attempt(self, *args, **kwargs)

    monkeypatch.setattr(OneAttemptClient, "_request", counted)
    router = OSRM(base_url=url, **router_options(2.0))

    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        with pytest.raises(exceptions.RouterServerError):
            router.directions(locations=[[-104.99, 39.74], [-104.98, 39.75]], profile="driving")

    assert counters == [0, 1], changed(
        "routingpy",
        f"after a 503 it asked _request with retry counters {counters}, not [0, 1]",
        ROUTING_SERVER,
    )
    assert len(asked) == 1
    # routing_server.py silences this warning, which says a retry follows: make sure it
    # still is the one routingpy sends.
    assert any(
        str(w.message).startswith("Server down") and w.filename.endswith("client_default.py")
        for w in warned
    ), changed("routingpy", "its 'Server down' warning before a retry has changed", ROUTING_SERVER)
