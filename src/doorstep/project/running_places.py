"""At most a few of the server's threads run Django at once; the others wait their turn.

`doorstep serve` keeps a pool of DOORSTEP_HTTP_THREADS threads (8) for Django's pages, so
that slow clients (a phone uploading a photo on a weak signal) hold a thread each without
holding up everyone else. But Python runs one thread at a time, and every time a thread
lets go of the interpreter (each row SQLite reads, each answer handed to the event loop)
another one wakes up: with eight threads busy on two cores, the pages cost a third to
half more CPU per request than with two, all of it spent switching (decision 0024).

So a thread takes one of DOORSTEP_HTTP_RUNNING places (by default the number of cores,
at least 2) to run Django, and gives it up while it waits for a request's body to arrive
from the network; the answer is sent after the place is given up. Threads beyond the
places wait on a semaphore, which wakes one of them only when a place is free.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

Environ = dict[str, Any]


class RunningPlaces:
    """WSGI middleware: `app` runs in at most `places` threads at once."""

    def __init__(self, app: Any, places: int) -> None:
        if places < 1:
            raise ValueError("at least one place")
        self.app = app
        self.places = threading.Semaphore(places)

    def __call__(self, environ: Environ, start_response: Any) -> Iterable[bytes]:
        environ["wsgi.input"] = _PlaceFreeInput(environ["wsgi.input"], self.places)
        with self.places:
            return self.app(environ, start_response)  # type: ignore[no-any-return]


class _PlaceFreeInput:
    """The request's body stream: waiting on the network gives the place up meanwhile."""

    def __init__(self, stream: Any, places: threading.Semaphore) -> None:
        self._stream = stream
        self._places = places

    def _outside(self, method: str, *args: Any) -> Any:
        self._places.release()
        try:
            return getattr(self._stream, method)(*args)
        finally:
            self._places.acquire()

    def read(self, *args: Any) -> bytes:
        return self._outside("read", *args)  # type: ignore[no-any-return]

    def readline(self, *args: Any) -> bytes:
        return self._outside("readline", *args)  # type: ignore[no-any-return]

    def readlines(self, *args: Any) -> list[bytes]:
        return self._outside("readlines", *args)  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line
