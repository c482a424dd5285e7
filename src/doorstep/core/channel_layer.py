"""The live channel layers: in memory for a single `doorstep serve`, Redis for several.

In memory: Channels' layer sweeps every channel and every group for expired messages
on each send and each receive, so with a thousand viewers connected each live-map
update cost a thousand checks per viewer it reached. Here the sweep runs at most once
a second: an undelivered message may outlive its expiry by that second, which changes
nothing for viewers, and the cost of an update no longer grows with the viewers of
other visits.

Redis: channels-redis as it is, with connections that wait for each other instead of
failing, and joining or leaving a booking's group retried, so that a crowd of viewers
arriving or leaving at once neither loses a socket nor leaves a dead subscription that
every later update would be sent to (see `RedisChannelLayer`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer as _ChannelsRedisLayer
from redis import asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

SWEEP_INTERVAL = 1.0  # seconds

# Joining and leaving a group: tries in all, and the pause before the second try,
# doubled before each next one; each pause is up to half longer at random, so that the
# retries of a crowd spread out.
GROUP_TRIES = 4
GROUP_RETRY_PAUSE = 0.05  # seconds


class SweepingInMemoryChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self.swept_at >= SWEEP_INTERVAL:
            self.swept_at = now
            super()._clean_expired()


class RedisChannelLayer(_ChannelsRedisLayer):  # type: ignore[misc]
    """channels-redis, configured by its `hosts` like the original, with two changes.

    Each host's dict holds the connection options (`address`, `socket_timeout`, …) plus
    `max_connections` and `pool_timeout`: the connections one process opens to that
    host, and how long a command waits for one of them to be free. redis-py's own pool
    raises `MaxConnectionsError` as soon as all are busy; this one waits.

    `socket_timeout` must be longer than `brpop_timeout`: a receive blocks in Redis for
    that long when no message comes, and a read that times out first raises in the
    receive loop of whichever consumer is reading for the whole process. Left out, it
    is `brpop_timeout` + 10 s (not redis-py's 5 s, which is `brpop_timeout` itself).
    """

    hosts: list[dict[str, Any]]

    def __init__(self, hosts: list[Any] | None = None, **options: Any) -> None:
        super().__init__(hosts=hosts, **options)
        self.hosts = [{"socket_timeout": self.brpop_timeout + 10, **host} for host in self.hosts]
        for host in self.hosts:
            socket_timeout = host["socket_timeout"]
            if socket_timeout is not None and socket_timeout <= self.brpop_timeout:
                raise ValueError(
                    f"socket_timeout ({socket_timeout} s) must be longer than a blocking "
                    f"receive ({self.brpop_timeout} s), or idle sockets are dropped"
                )

    def create_pool(self, index: int) -> aioredis.BlockingConnectionPool:
        options = dict(self.hosts[index])
        options["timeout"] = options.pop("pool_timeout", 10)
        if "address" in options:
            return aioredis.BlockingConnectionPool.from_url(options.pop("address"), **options)
        return aioredis.BlockingConnectionPool(**options)

    async def group_add(self, group: str, channel: str) -> None:
        await _retried(super().group_add, group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        await _retried(super().group_discard, group, channel)


async def _retried(operation: Callable[[str, str], Awaitable[None]], *args: str) -> None:
    """`operation`, tried again after a connection error or a timeout (both idempotent)."""
    pause = GROUP_RETRY_PAUSE
    for attempt in range(1, GROUP_TRIES + 1):
        try:
            await operation(*args)
            return
        except (RedisConnectionError, RedisTimeoutError):
            if attempt == GROUP_TRIES:
                raise
        await asyncio.sleep(pause * random.uniform(1.0, 1.5))  # noqa: S311
        pause *= 2
