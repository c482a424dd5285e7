"""The web server's event loop, for synchronous code that must start async work on it.

WebSocket consumers and the channel layer's connections live on the loop of the
process's web server. Code running in another thread of that process (a view in the
server's thread pool, the ping writer) hands its async work to that loop with
`run_soon()` instead of starting a loop of its own for each call, which would cost a
thread and, with Redis, a new connection every time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class _Server:
    loop: asyncio.AbstractEventLoop | None = None


def remember() -> None:
    """Note the running loop as the server's; called by the ASGI application."""
    _Server.loop = asyncio.get_running_loop()


def forget() -> None:
    _Server.loop = None


def run_soon(make: Callable[[], Coroutine[Any, Any, None]]) -> bool:
    """Run the coroutine `make()` returns on the server's loop, without waiting for it.

    False when there is no running server loop to run it on, or when the caller is on
    that loop itself (it would have to await instead): the caller then runs it another way.
    """
    loop = _Server.loop
    if loop is None or loop.is_closed() or not loop.is_running():
        return False
    try:
        if asyncio.get_running_loop() is loop:
            return False
    except RuntimeError:
        pass  # no loop in this thread: the usual case
    future = asyncio.run_coroutine_threadsafe(make(), loop)
    future.add_done_callback(_log_failure)
    return True


def _log_failure(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("Work handed to the server's loop failed", exc_info=future.exception())
