"""Coalescing: requests gathered while deferred are worked on once, together."""

from __future__ import annotations

import pytest

from doorstep.core.coalescing import Coalescing
from doorstep.core.group_commit import GroupCommit


def test_until_deferred_the_work_is_done_at_once() -> None:
    calls: list[set[int]] = []
    Coalescing(calls.append, name="test").request([1, 2])
    assert calls == [{1, 2}]


def test_deferred_requests_are_worked_on_once_together() -> None:
    calls: list[set[int]] = []
    coalescing = Coalescing(calls.append, name="test")
    coalescing.defer()
    for _ in range(10):
        coalescing.request([2, 3])
    coalescing.request([4])
    assert calls == []
    coalescing.run_pending()
    coalescing.run_pending()  # nothing new: no call
    assert calls == [{2, 3, 4}]


def test_a_failure_is_logged_and_the_keys_are_not_asked_for_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def work(keys: set[int]) -> None:
        raise ValueError("unlucky")

    coalescing = Coalescing(work, name="eta-test")
    coalescing.defer()
    coalescing.request([13])
    coalescing.run_pending()
    assert "eta-test failed for ['13']" in caplog.text


def test_undeferring_does_what_was_gathered() -> None:
    calls: list[set[int]] = []
    coalescing = Coalescing(calls.append, name="test")
    coalescing.defer()
    coalescing.request([1])
    coalescing.defer(False)
    assert calls == [{1}]
    coalescing.request([2])
    assert calls == [{1}, {2}]


def test_a_group_commit_does_the_gathered_work_after_each_batch() -> None:
    calls: list[set[int]] = []
    coalescing = Coalescing(calls.append, name="test")
    coalescing.defer()

    def process(jobs: object) -> list[int]:
        assert isinstance(jobs, list)
        coalescing.request(jobs)
        return [job * 2 for job in jobs]

    commit: GroupCommit[int, int] = GroupCommit(process, name="test", after=coalescing.run_pending)
    commit.start()
    try:
        assert commit.submit(5) == 10
        assert commit.submit(6) == 12
    finally:
        commit.stop()
    assert calls == [{5}, {6}]
