"""Work that may wait for the end of a batch, and is merged with its like until then.

`Coalescing(work)` calls `work(keys)`. Until `defer()` (the test suite, `doorstep
shell`), `request(keys)` does so at once. Once deferred (`doorstep serve`), requests
only gather their keys, and `run_pending()` does the work once for all of them: ten
requests for one key cost one call.

Used for the live ETAs (`tracking.live`): each batch of the ping ingest asks for the
technicians whose position moved; the ingest's thread answers the batch's pings first,
then refreshes those technicians' ETAs in one go (`GroupCommit(after=…)`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Hashable

logger = logging.getLogger(__name__)


class Coalescing[K: Hashable]:
    def __init__(self, work: Callable[[set[K]], object], *, name: str) -> None:
        self.work = work
        self.name = name
        self.deferring = False
        self._pending: set[K] = set()
        self._lock = threading.Lock()

    def defer(self, deferring: bool = True) -> None:
        """From now on, gather requests for `run_pending()`; with False, work at once again."""
        self.deferring = deferring
        if not deferring:
            self.run_pending()

    def request(self, keys: Collection[K]) -> None:
        if not keys:
            return
        if not self.deferring:
            self.work(set(keys))
            return
        with self._lock:
            self._pending.update(keys)

    def run_pending(self) -> None:
        """Do the work for every key gathered since the last time; a failure is logged."""
        with self._lock:
            keys, self._pending = self._pending, set()
        if not keys:
            return
        try:
            self.work(keys)
        except Exception:
            logger.exception("%s failed for %s", self.name, sorted(map(str, keys)))
