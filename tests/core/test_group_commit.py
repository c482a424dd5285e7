"""Group commit: jobs of many threads processed in batches, each caller given its own result."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import pytest

from doorstep.core import group_commit
from doorstep.core.group_commit import Busy, GroupCommit


class Recorder:
    """A batch function that doubles numbers, refuses 13 and remembers each batch."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.batches: list[list[int]] = []
        self.gate = gate
        self.entered = threading.Event()  # a batch has reached the gate

    def __call__(self, jobs: Sequence[int]) -> list[int]:
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        if 13 in jobs:
            raise ValueError("unlucky")
        self.batches.append(list(jobs))
        return [job * 2 for job in jobs]


def wait_for_queue(commit: GroupCommit[int, int], size: int) -> None:
    deadline = time.monotonic() + 5
    while commit._queue.qsize() < size:
        assert time.monotonic() < deadline, "the jobs did not queue up"
        time.sleep(0.01)


def test_without_its_thread_each_job_is_processed_in_the_callers_thread() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder, name="test")
    assert commit.submit(4) == 8
    assert recorder.batches == [[4]]


def test_jobs_that_arrive_while_a_batch_is_processed_form_the_next_batch() -> None:
    gate = threading.Event()
    recorder = Recorder(gate)
    commit = GroupCommit(recorder, name="test")
    commit.start()
    results: dict[int, int] = {}
    try:
        first = threading.Thread(target=lambda: results.update({1: commit.submit(1)}))
        first.start()
        assert recorder.entered.wait(5)
        # While the first batch waits at the gate, ten more jobs queue up.
        others = [
            threading.Thread(target=lambda n=n: results.update({n: commit.submit(n)}))
            for n in range(2, 12)
        ]
        for thread in others:
            thread.start()
        wait_for_queue(commit, 10)
        gate.set()
        for thread in [first, *others]:
            thread.join(5)
    finally:
        commit.stop()
    assert results == {n: n * 2 for n in range(1, 12)}
    assert recorder.batches[0] == [1]
    assert sorted(recorder.batches[1]) == list(range(2, 12))  # one batch, not ten


def test_a_failing_job_costs_only_its_own_result() -> None:
    gate = threading.Event()
    recorder = Recorder(gate)
    commit = GroupCommit(recorder, name="test")
    commit.start()
    outcomes: dict[int, object] = {}

    def submit(n: int) -> None:
        try:
            outcomes[n] = commit.submit(n)
        except ValueError as error:
            outcomes[n] = error

    try:
        first = threading.Thread(target=submit, args=(11,))
        first.start()
        assert recorder.entered.wait(5)
        threads = [threading.Thread(target=submit, args=(n,)) for n in (12, 13, 14)]
        for thread in threads:
            thread.start()
        wait_for_queue(commit, 3)  # the next batch holds all three
        gate.set()
        first.join(5)
        for thread in threads:
            thread.join(5)
    finally:
        commit.stop()
    assert outcomes[11] == 22
    assert outcomes[12] == 24
    assert outcomes[14] == 28
    assert isinstance(outcomes[13], ValueError)


def test_a_caller_that_waits_too_long_is_told_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 0.05)
    gate = threading.Event()
    commit = GroupCommit(Recorder(gate), name="test")
    commit.start()
    try:
        with pytest.raises(Busy):
            commit.submit(1)
    finally:
        gate.set()
        commit.stop()


def test_async_callers_wait_without_blocking_the_loop() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder, name="test")
    commit.start()

    async def main() -> list[int]:
        return list(await asyncio.gather(*(commit.submit_async(n) for n in range(5))))

    try:
        assert asyncio.run(main()) == [0, 2, 4, 6, 8]
    finally:
        commit.stop()
    assert sum(len(batch) for batch in recorder.batches) == 5


def test_stop_processes_what_is_queued_then_processes_in_place() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder, name="test")
    commit.start()
    assert commit.submit(3) == 6
    commit.stop()
    assert not commit.running
    assert commit.submit(5) == 10  # in this thread now


def test_a_caller_that_gave_up_does_not_stop_the_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 0.05)
    gate = threading.Event()
    recorder = Recorder(gate)
    commit = GroupCommit(recorder, name="test")
    commit.start()

    async def impatient() -> None:
        with pytest.raises(Busy):
            await commit.submit_async(1)  # its future is cancelled when it gives up

    try:
        waiting = threading.Thread(target=lambda: asyncio.run(impatient()))
        waiting.start()
        assert recorder.entered.wait(5)
        waiting.join(5)
        gate.set()  # the batch of the job given up on ends now
        monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 5.0)
        assert commit.submit(2) == 4
        assert commit.running
    finally:
        commit.stop()


def test_a_job_given_up_on_before_its_batch_is_not_processed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 0.05)
    gate = threading.Event()
    recorder = Recorder(gate)
    commit = GroupCommit(recorder, name="test")
    commit.start()
    try:

        def gives_up() -> None:
            with pytest.raises(Busy):
                commit.submit(1)

        first = threading.Thread(target=gives_up)
        first.start()
        assert recorder.entered.wait(5)

        async def impatient() -> None:
            with pytest.raises(Busy):
                await commit.submit_async(7)

        asyncio.run(impatient())  # queued behind the first batch, then given up on
        first.join(5)
        gate.set()
        monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 5.0)
        assert commit.submit(3) == 6
    finally:
        commit.stop()
    assert [7] not in recorder.batches
    assert all(7 not in batch for batch in recorder.batches)
