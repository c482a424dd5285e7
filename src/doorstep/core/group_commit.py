"""Group commit: many requests' writes in one transaction, on one thread.

A request hands its job to a `GroupCommit` and waits for its own result. One thread
takes every job that arrived while it was busy with the previous batch, and those that
arrive within `linger` seconds of the first one's arrival, and processes them together
with one call of the batch function, which answers each job. Under load, batches grow by
themselves and nothing lingers (after a batch of `LARGE_BATCH` jobs); at a moderate
load, the linger gathers a few jobs per batch for a few milliseconds of waiting.

Used for location pings (`doorstep.tracking.ingest`), where each request is small and many
arrive each second: the cost of a transaction and of each query is paid once per batch.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

ANSWER_TIMEOUT = 30.0  # seconds a caller waits for its batch
LARGE_BATCH = 16  # jobs: after a batch this large, the next one does not linger


class Busy(Exception):
    """The batch thread did not answer in time: the caller should try again later."""


@dataclass
class _Pending[J, R]:
    job: J
    future: Future[R] = field(default_factory=Future)
    queued_at: float = field(default_factory=time.monotonic)


class GroupCommit[J, R]:
    """Processes jobs in batches on its own thread once started; in the caller's until then.

    `process(jobs)` must return one result per job, in order. When it raises for a
    batch, each job is processed again on its own, so one bad job costs only its result.
    """

    def __init__(
        self,
        process: Callable[[Sequence[J]], list[R]],
        *,
        name: str,
        max_batch: int = 500,
        linger: float = 0.0,
        after: Callable[[], object] | None = None,
    ) -> None:
        self.process = process
        self.name = name
        self.max_batch = max_batch
        self.linger = linger
        self.after = after  # called once each batch is answered, on the batch thread
        self._queue: queue.SimpleQueue[_Pending[J, R] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if not self.running:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Process what is queued, then end the thread; jobs are then processed in place."""
        with self._lock:
            # Under the lock, no job can be queued after the end-of-queue marker: each is
            # either queued before it, for the thread, or processed in its caller's thread.
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is None:
            return
        thread.join(timeout)
        if thread.is_alive():
            return  # still busy with a batch: it takes what is queued when that ends
        # Jobs the thread left behind when it ended on an error.
        while True:
            try:
                pending = self._queue.get_nowait()
            except queue.Empty:
                break
            if pending is not None:
                self._process([pending])

    def submit(self, job: J) -> R:
        """The job's result; processed in this thread when the batch thread is not running.

        Raises `Busy` when the batch thread does not take the job within `ANSWER_TIMEOUT`:
        the job is then dropped, never processed later. A job whose batch has begun by
        then is waited for, since it will be processed: its caller gets its result.
        """
        pending: _Pending[J, R] = _Pending(job)
        if not self._enqueue(pending):
            return self.process([job])[0]
        try:
            return pending.future.result(timeout=ANSWER_TIMEOUT)
        except TimeoutError:
            if pending.future.cancel():
                raise Busy from None
        return pending.future.result()

    async def submit_async(self, job: J) -> R:
        """`submit()` for async callers; in a thread of Django's when the batch thread is
        not running (the caller's own, under `async_to_sync`, as in the test suite)."""
        pending: _Pending[J, R] = _Pending(job)
        if not self._enqueue(pending):
            return (await sync_to_async(self.process)([job]))[0]
        answer = asyncio.wrap_future(pending.future)
        try:
            # `wait` leaves the future alone when the time is up, so that it can be
            # cancelled only if its batch has not begun.
            await asyncio.wait([answer], timeout=ANSWER_TIMEOUT)
            if pending.future.cancel():
                raise Busy
            return await answer
        except asyncio.CancelledError:
            answer.cancel()  # the caller went away: its job is dropped unless begun
            raise

    def _enqueue(self, pending: _Pending[J, R]) -> bool:
        """Queue the job for the batch thread; False when the thread is not running."""
        with self._lock:
            if not self.running:
                return False
            self._queue.put(pending)
            return True

    def _run(self) -> None:
        stopping = False
        last_size = 0
        try:
            while not stopping:
                first = self._queue.get()
                if first is None:
                    break
                batch = [first]
                # The linger counts from the first job's arrival: jobs that queued up while
                # the previous batch was processed have waited long enough already. After
                # a large batch there is none: jobs arrive faster than batches take.
                linger = self.linger if last_size < LARGE_BATCH else 0.0
                deadline = first.queued_at + linger
                while len(batch) < self.max_batch:
                    try:
                        pending = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
                    if pending is None:
                        stopping = True
                        break
                    batch.append(pending)
                close_old_connections()  # a connection broken since the last batch is replaced
                self._process(batch)
                last_size = len(batch)
                if self.after is not None:
                    try:
                        self.after()
                    except Exception:
                        logger.exception("%s: the work after a batch failed", self.name)
        finally:
            connection.close()

    def _process(self, batch: list[_Pending[J, R]]) -> None:
        # A caller that gave up (its wait timed out) has cancelled its future: its job is
        # dropped. The others' futures are marked running, which no caller can cancel,
        # so each surely takes its result.
        batch = [pending for pending in batch if pending.future.set_running_or_notify_cancel()]
        if batch:
            self._process_running(batch)

    def _process_running(self, batch: list[_Pending[J, R]]) -> None:
        try:
            results = self.process([pending.job for pending in batch])
        except Exception as error:
            if len(batch) > 1:
                for pending in batch:
                    self._process_running([pending])
                return
            logger.exception("%s could not process a job", self.name)
            batch[0].future.set_exception(error)
            return
        for pending, result in zip(batch, results, strict=True):
            pending.future.set_result(result)
