"""Routing on a thread of its own, so that no ping waits for a routing server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection

from django.db import close_old_connections, connection

from doorstep.core.coalescing import Coalescing


class RoutingThread(Coalescing[int]):
    """`Coalescing` whose deferred work runs on a thread of its own, as soon as asked.

    Until `defer()`, `request(technician_ids)` routes them at once, in the caller's
    thread (the test suite, `doorstep shell`). Deferred (`doorstep serve`), requests
    gather while the thread routes the previous ones, and the thread routes them all
    in one go when it is done: a technician asked for ten times meanwhile costs one call.
    """

    def __init__(self, work: Callable[[set[int]], object], *, name: str) -> None:
        super().__init__(work, name=name)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def defer(self, deferring: bool = True, *, timeout: float = 10.0) -> None:
        """Start the thread; with False, end it and do what is left in the caller's."""
        if deferring:
            super().defer(True)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            return
        thread, self._thread = self._thread, None
        self.deferring = False
        self._wake.set()
        if thread is not None:
            thread.join(timeout)
        super().defer(False)

    def request(self, keys: Collection[int]) -> None:
        super().request(keys)
        if self.deferring:
            self._wake.set()

    def _run(self) -> None:
        try:
            while self.deferring:
                self._wake.wait()
                self._wake.clear()
                close_old_connections()  # a connection broken since the last time is replaced
                self.run_pending()
        finally:
            connection.close()
