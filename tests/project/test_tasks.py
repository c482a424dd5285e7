"""Housekeeping tasks go through the real database queue, worker and scheduler."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, transaction
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doorstep.project import background
from doorstep.project.tasks import (
    prune_finished_task_results,
    purge_expired_sessions,
    recover_stuck_tasks,
)


def make_sessions() -> tuple[str, str]:
    live = SessionStore()
    live["visit"] = "live"
    live.create()
    expired = SessionStore()
    expired["visit"] = "old"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    return str(live.session_key), str(expired.session_key)


@pytest.mark.django_db(transaction=True)
def test_purge_runs_through_the_queue_and_the_worker_command() -> None:
    live, expired = make_sessions()

    result = purge_expired_sessions.enqueue()
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    assert Session.objects.filter(session_key=expired).exists()  # nothing runs inline

    call_command("worker", batch=True, verbosity=0)

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


@pytest.mark.django_db(transaction=True)
def test_prune_forgets_old_finished_tasks_only() -> None:
    old = purge_expired_sessions.enqueue()
    call_command("worker", batch=True, verbosity=0)
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=timezone.now() - timedelta(days=15))
    recent = purge_expired_sessions.enqueue()
    call_command("worker", batch=True, verbosity=0)

    pruned = prune_finished_task_results.enqueue()
    call_command("worker", batch=True, verbosity=0)

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=pruned.id).pk,
    }


def test_housekeeping_is_scheduled_daily() -> None:
    from crontask import scheduler

    background.load_periodic_tasks()
    jobs = {job.name: job for job in scheduler.get_jobs()}

    for name in ("purge_expired_sessions", "prune_finished_task_results"):
        fields = {field.name: str(field) for field in jobs[name].trigger.fields}
        assert fields["day"] == "*"
        assert fields["hour"] != "*"
        assert fields["minute"] != "*"
    assert "heartbeat" not in jobs


@pytest.mark.django_db(transaction=True)
def test_scheduler_thread_enqueues_due_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    from crontask import scheduler

    # The same task on a one-second trigger instead of its nightly one.
    due_every_second = SimpleNamespace(
        func=purge_expired_sessions.enqueue,
        trigger=IntervalTrigger(seconds=1),
        name="purge_expired_sessions",
    )
    monkeypatch.setattr(scheduler, "get_jobs", lambda: [due_every_second])
    thread = background.SchedulerThread()
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not DBTaskResult.objects.exists():
            assert time.monotonic() < deadline, "the scheduler enqueued nothing"
            time.sleep(0.2)
    finally:
        thread.stop()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert DBTaskResult.objects.first().task_path.endswith("purge_expired_sessions")  # type: ignore[union-attr]


# --- Tasks a stopped worker left Running -----------------------------------------------------


def left_running(*, by: list[str], minutes_ago: int) -> DBTaskResult:
    """A queued task that workers `by` took in turn, the last of them dying with it."""
    result = purge_expired_sessions.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    for worker in by:
        row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return row


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_stopped_worker_runs_again() -> None:
    _, expired = make_sessions()
    stuck = left_running(by=["worker-host-4242"], minutes_ago=31)

    assert recover_stuck_tasks.call() == 1
    call_command("worker", batch=True, verbosity=0)

    row = DBTaskResult.objects.get(pk=stuck.pk)
    assert row.status == "SUCCESSFUL"
    assert len(row.worker_ids) == 2
    assert not Session.objects.filter(session_key=expired).exists()


@pytest.mark.django_db
def test_a_task_running_for_less_than_half_an_hour_is_left_alone() -> None:
    running = left_running(by=["worker-host-4242"], minutes_ago=29)

    assert recover_stuck_tasks.call() == 0

    assert DBTaskResult.objects.get(pk=running.pk).status == "RUNNING"


@pytest.mark.django_db
def test_a_task_that_three_workers_died_on_is_failed_with_the_reason() -> None:
    stuck = left_running(by=["w-a-1", "w-b-2", "w-c-3"], minutes_ago=31)

    assert recover_stuck_tasks.call() == 1

    row = DBTaskResult.objects.get(pk=stuck.pk)
    assert row.status == "FAILED"
    assert row.exception_class_path == "doorstep.project.tasks.WorkerStopped"
    assert "3 workers stopped while running this task (w-a-1, w-b-2, w-c-3)" in row.traceback
    assert row.finished_at is not None


def test_stuck_tasks_are_looked_for_every_five_minutes() -> None:
    from crontask import scheduler

    background.load_periodic_tasks()
    jobs = {job.name: job for job in scheduler.get_jobs()}

    fields = {field.name: str(field) for field in jobs["recover_stuck_tasks"].trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("*", "*/5")


# --- Waking the worker ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_while_the_worker_idles_runs_at_once_not_after_the_interval() -> None:
    finished = threading.Event()

    def note(sender: object, task_result: Any, **kwargs: Any) -> None:
        finished.set()

    task_finished.connect(note, dispatch_uid="test_wake")
    thread = background.WorkerThread(interval=60)
    thread.start()
    try:
        time.sleep(0.5)  # the queue was empty: the worker waits
        enqueued_at = time.monotonic()
        result = purge_expired_sessions.enqueue()
        assert finished.wait(timeout=10), "the worker slept through the enqueued task"
        waited = time.monotonic() - enqueued_at
    finally:
        thread.stop()
        thread.join(timeout=5)
        task_finished.disconnect(dispatch_uid="test_wake")

    assert waited < 5
    assert not thread.is_alive()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_wakes_nobody() -> None:
    woken = threading.Event()
    with background._idle_workers_lock:
        background._idle_workers.add(woken)
    try:
        with transaction.atomic():
            purge_expired_sessions.enqueue()
            transaction.set_rollback(True)
        assert not woken.is_set()
        purge_expired_sessions.enqueue()
        assert woken.is_set()
    finally:
        with background._idle_workers_lock:
            background._idle_workers.discard(woken)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_task_enqueued_by_another_process_wakes_the_worker() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's")
    woken = threading.Event()
    listener = background.NotifyListener(woken, using="default")
    assert listener.available
    listener.start()
    try:
        # No worker runs in this process, so only the NOTIFY can reach the listener;
        # announced again until its LISTEN has started.
        deadline = time.monotonic() + 10
        while not woken.wait(timeout=0.2):
            assert time.monotonic() < deadline, "no NOTIFY reached the listener"
            purge_expired_sessions.enqueue()
    finally:
        listener.stop()
        listener.join(timeout=5)
    assert not listener.is_alive()
