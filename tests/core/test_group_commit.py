"""Group commit: jobs of many threads processed in batches, each caller given its own result."""

from __future__ import annotations

import asyncio
import queue
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


def test_a_caller_that_goes_away_mid_batch_does_not_stop_the_thread() -> None:
    gate = threading.Event()
    recorder = Recorder(gate)
    commit = GroupCommit(recorder, name="test")
    commit.start()
    outcomes: list[BaseException] = []

    async def goes_away() -> None:
        try:
            await asyncio.wait_for(commit.submit_async(1), 0.05)  # its task is cancelled
        except TimeoutError as error:
            outcomes.append(error)

    try:
        waiting = threading.Thread(target=lambda: asyncio.run(goes_away()))
        waiting.start()
        assert recorder.entered.wait(5)
        waiting.join(5)
        gate.set()  # the batch of the job whose caller went away ends now
        assert commit.submit(2) == 4
        assert commit.running
    finally:
        commit.stop()
    assert len(outcomes) == 1


def test_a_caller_told_busy_never_has_its_job_processed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = threading.Event()
    recorder = Recorder(gate)
    commit = GroupCommit(recorder, name="test")
    commit.start()
    try:
        first = threading.Thread(target=commit.submit, args=(1,))
        first.start()
        assert recorder.entered.wait(5)  # the thread is held in the first batch
        monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 0.05)

        with pytest.raises(Busy):
            commit.submit(8)  # queued behind the first batch, then given up on

        async def impatient() -> None:
            with pytest.raises(Busy):
                await commit.submit_async(7)

        asyncio.run(impatient())
        gate.set()
        first.join(5)
        monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 5.0)
        assert commit.submit(3) == 6  # the batch after the given-up jobs
    finally:
        commit.stop()
    assert all(8 not in batch and 7 not in batch for batch in recorder.batches)
    assert recorder.batches == [[1], [3]]


def test_a_caller_whose_batch_has_begun_when_its_wait_ends_gets_its_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 0.05)
    gate = threading.Event()
    recorder = Recorder(gate)
    commit = GroupCommit(recorder, name="test")
    commit.start()
    results: dict[int, object] = {}

    def submit(n: int) -> None:
        try:
            results[n] = commit.submit(n)
        except Busy as busy:
            results[n] = busy

    async def submit_async(n: int) -> None:
        try:
            results[n] = await commit.submit_async(n)
        except Busy as busy:
            results[n] = busy

    try:
        first = threading.Thread(target=submit, args=(1,))
        first.start()
        assert recorder.entered.wait(5)
        # Its wait is over while its batch waits at the gate: the job will be stored,
        # so its caller must not be told otherwise.
        first.join(0.2)
        assert first.is_alive()
        gate.set()
        first.join(5)
    finally:
        commit.stop()
    assert results == {1: 2}
    assert recorder.batches == [[1]]

    gate.clear()
    recorder.entered.clear()
    commit.start()
    try:
        waiting = threading.Thread(target=lambda: asyncio.run(submit_async(5)))
        waiting.start()
        assert recorder.entered.wait(5)
        waiting.join(0.2)
        assert waiting.is_alive()
        gate.set()
        waiting.join(5)
    finally:
        commit.stop()
    assert results == {1: 2, 5: 10}


class StoppedJustBeforeQueuing(queue.SimpleQueue[object]):
    """The group commit's queue, where another thread stops the group commit just as
    the first job is put in: the caller saw the thread running, the job arrives late."""

    def __init__(self, commit: GroupCommit[int, int]) -> None:
        self.commit = commit
        self.stopper: threading.Thread | None = None

    def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
        if item is not None and self.stopper is None:
            self.stopper = threading.Thread(target=self.commit.stop)
            self.stopper.start()
            self.stopper.join(0.5)  # let it finish, if nothing holds it back
        super().put(item, block, timeout)


def test_a_job_that_arrives_as_stop_runs_is_answered_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(group_commit, "ANSWER_TIMEOUT", 1.0)  # 30 s in service
    recorder = Recorder()
    commit = GroupCommit(recorder, name="test")
    late = StoppedJustBeforeQueuing(commit)
    commit._queue = late  # type: ignore[assignment]
    commit.start()
    try:
        assert commit.submit(4) == 8  # not Busy: someone processed it
    finally:
        assert late.stopper is not None
        late.stopper.join(5)
    assert not commit.running
    assert recorder.batches == [[4]]
