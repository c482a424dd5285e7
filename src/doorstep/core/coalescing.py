"""Work that may lag a little behind and be merged: done on a thread of its own.

`Coalescing(work)` calls `work(keys)` with every key asked for (`request()`) while the
previous call ran: ten requests for one key during a slow call cost one more call, not
ten. Nobody waits for it. Until `start()` (the test suite, `doorstep shell`), `request()`
does the work at once in the caller's thread.

Used for the live ETAs (`tracking.live`): the ping ingest asks for the technicians
whose position moved and goes on answering pings, however long a routing call takes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Hashable

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


class Coalescing[K: Hashable]:
    def __init__(self, work: Callable[[set[K]], object], *, name: str) -> None:
        self.work = work
        self.name = name
        self._pending: set[K] = set()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._changed:
            if self.running:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Do what was asked for, then end the thread."""
        with self._changed:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._changed.notify()
        if thread is not None:
            thread.join(timeout)

    def request(self, keys: Collection[K]) -> None:
        if not keys:
            return
        with self._changed:
            if self.running:
                self._pending.update(keys)
                self._changed.notify()
                return
        self.work(set(keys))

    def _run(self) -> None:
        try:
            while True:
                with self._changed:
                    while not self._pending and not self._stopping:
                        self._changed.wait()
                    keys, self._pending = self._pending, set()
                    stopping = self._stopping
                if keys:
                    close_old_connections()
                    try:
                        self.work(keys)
                    except Exception:
                        logger.exception("%s failed for %s", self.name, sorted(map(str, keys)))
                if stopping:
                    return
        finally:
            connection.close()
