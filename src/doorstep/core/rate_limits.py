"""Rate limits per client address: fixed-window counters in Django's cache.

With Redis as the cache (REDIS_URL) the counters are shared by every `doorstep serve`
process, so a limit holds however many processes answer; with the local-memory cache
it holds per process. A cache that does not answer lets the request through (and says
so in the log): the limits spare the server, they are not what keeps a secret.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# Visit codes, per client address and window: requests to the visit link pages, and
# wrong codes tried on the live socket.
VISIT_CODE_LIMIT = 60
VISIT_CODE_WINDOW_SECONDS = 60


def count_in_window(key: str, *, window_seconds: int) -> int:
    """Add one to the counter `key` and answer its new value (0 if the cache fails).

    `key` names the window (e.g. ends with the window's number): the counter expires
    just after it.
    """
    try:
        if cache.add(key, 1, timeout=window_seconds + 1):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.set(key, 1, timeout=window_seconds + 1)
            return 1
    except Exception:
        logger.exception("Rate limit %s unavailable; letting the request through", key)
        return 0


def counted_so_far(key: str) -> int:
    """The counter `key` as it stands (0 if there is none, or the cache fails)."""
    try:
        return int(cache.get(key) or 0)
    except Exception:
        logger.exception("Rate limit %s unavailable; letting the request through", key)
        return 0


def client_address(*, remote_addr: str, forwarded_for: str) -> str:
    """The address a request comes from, given the peer's and X-Forwarded-For."""
    # Behind the reverse proxy that DOORSTEP_BEHIND_PROXY declares, every request comes
    # from the proxy; the client is the address the proxy appended last to
    # X-Forwarded-For (earlier entries are whatever the client sent).
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = forwarded_for.rsplit(",", maxsplit=1)[-1].strip()
        if forwarded:
            return forwarded
    return remote_addr
