"""Coalescing: keys asked for while the work runs are merged into one next call."""

from __future__ import annotations

import threading
import time

from doorstep.core.coalescing import Coalescing


class Worker:
    def __init__(self) -> None:
        self.calls: list[set[int]] = []
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.done = threading.Event()

    def __call__(self, keys: set[int]) -> None:
        self.entered.set()
        self.gate.wait(5)
        if 13 in keys and len(self.calls) == 0:
            self.calls.append(keys)
            raise ValueError("unlucky")
        self.calls.append(keys)
        self.done.set()


def wait_until(condition, timeout: float = 5) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_without_its_thread_the_work_is_done_at_once() -> None:
    worker = Worker()
    worker.gate.set()
    Coalescing(worker, name="test").request([1, 2])
    assert worker.calls == [{1, 2}]


def test_keys_asked_for_during_a_call_make_one_more_call() -> None:
    worker = Worker()
    coalescing = Coalescing(worker, name="test")
    coalescing.start()
    try:
        coalescing.request([1])
        assert worker.entered.wait(5)
        for _ in range(10):  # while the first call is held
            coalescing.request([2, 3])
        coalescing.request([4])
        worker.gate.set()
        wait_until(lambda: len(worker.calls) == 2)
    finally:
        coalescing.stop()
    assert worker.calls == [{1}, {2, 3, 4}]


def test_a_failing_call_is_logged_and_the_next_one_still_runs(caplog) -> None:  # type: ignore[no-untyped-def]
    worker = Worker()
    worker.gate.set()
    coalescing = Coalescing(worker, name="eta-test")
    coalescing.start()
    try:
        coalescing.request([13])
        wait_until(lambda: len(worker.calls) == 1)
        coalescing.request([5])
        wait_until(lambda: len(worker.calls) == 2)
    finally:
        coalescing.stop()
    assert worker.calls == [{13}, {5}]
    assert "eta-test failed for ['13']" in caplog.text


def test_stop_does_what_was_asked_for_first() -> None:
    worker = Worker()
    coalescing = Coalescing(worker, name="test")
    coalescing.start()
    coalescing.request([1])
    assert worker.entered.wait(5)
    coalescing.request([2])
    worker.gate.set()
    coalescing.stop()
    assert worker.calls == [{1}, {2}]
    assert not coalescing.running
