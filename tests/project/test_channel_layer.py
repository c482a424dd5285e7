"""The live channel layer that settings choose: in memory, or Redis when REDIS_URL is set.

The SQLite run of the suite has no REDIS_URL and the PostgreSQL run sets it, so both
layers are exercised by `make test`.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.core import RedisChannelLayer as ChannelsRedisLayer
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError

from doorstep.core import channel_layer
from doorstep.core.channel_layer import GROUP_TRIES, RedisChannelLayer


def test_the_layer_follows_redis_url() -> None:
    layer = get_channel_layer()

    if os.environ.get("REDIS_URL"):
        assert isinstance(layer, RedisChannelLayer)
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    else:
        assert isinstance(layer, InMemoryChannelLayer)


def test_a_group_message_reaches_every_member() -> None:
    layer = get_channel_layer()
    assert layer is not None
    group = f"booking-{uuid.uuid4().hex}"

    async def exchange() -> list[dict[str, object]]:
        first = await layer.new_channel()
        second = await layer.new_channel()
        await layer.group_add(group, first)
        await layer.group_add(group, second)
        await layer.group_send(group, {"type": "eta.changed", "minutes": 12})
        received = [await layer.receive(first), await layer.receive(second)]
        await layer.group_discard(group, first)
        await layer.group_discard(group, second)
        return received

    assert async_to_sync(exchange)() == [{"type": "eta.changed", "minutes": 12}] * 2


def test_a_burst_of_updates_for_the_viewers_of_one_process_is_kept_until_read() -> None:
    # With Redis, all the viewers of one process share one queue: a burst of 300 updates
    # of 300 visits (a second and a half of 200 pings a second) must all be delivered.
    layer = get_channel_layer()
    assert layer is not None
    run = uuid.uuid4().hex

    async def burst() -> int:
        viewers = [await layer.new_channel() for _ in range(300)]
        for number, viewer in enumerate(viewers):
            await layer.group_add(f"booking-{run}-{number}", viewer)
        for number in range(len(viewers)):
            await layer.group_send(f"booking-{run}-{number}", {"type": "visit.update"})
        received = 0
        try:
            for viewer in viewers:
                await asyncio.wait_for(layer.receive(viewer), timeout=2)
                received += 1
        except TimeoutError:
            pass
        for number, viewer in enumerate(viewers):
            await layer.group_discard(f"booking-{run}-{number}", viewer)
        return received

    assert async_to_sync(burst)() == 300


def test_the_cache_keeps_values() -> None:
    key = f"test-{uuid.uuid4().hex}"
    cache.set(key, {"eta": 12}, timeout=30)

    assert cache.get(key) == {"eta": 12}
    cache.delete(key)


def test_the_in_memory_layer_sweeps_for_expired_messages_once_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from doorstep.core.channel_layer import SweepingInMemoryChannelLayer

    sweeps: list[int] = []
    monkeypatch.setattr(
        InMemoryChannelLayer, "_clean_expired", lambda self: sweeps.append(len(self.channels))
    )
    clock = [1000.0]
    monkeypatch.setattr(channel_layer.time, "monotonic", lambda: clock[0])
    layer = SweepingInMemoryChannelLayer(expiry=60)

    async def traffic() -> None:
        channels = [await layer.new_channel() for _ in range(50)]
        for channel in channels:
            await layer.group_add("booking-1", channel)
        for _ in range(20):
            await layer.group_send("booking-1", {"type": "visit.update"})
            for channel in channels:
                await layer.receive(channel)

    async_to_sync(traffic)()
    assert len(sweeps) == 1  # not 20 sends + 1,000 receives
    clock[0] += 1.5
    async_to_sync(layer.group_send)("booking-1", {"type": "visit.update"})
    assert len(sweeps) == 2


def redis_layer(**host: object) -> RedisChannelLayer:
    # No connection is made until the layer is used.
    return RedisChannelLayer(hosts=[{"address": "redis://127.0.0.1:6379/15", **host}])


def test_the_redis_layer_refuses_reads_that_give_up_before_a_blocking_receive() -> None:
    with pytest.raises(ValueError, match="socket_timeout"):
        redis_layer(socket_timeout=5)  # redis-py's default, the blocking receive's time


def test_the_redis_layer_reads_longer_than_a_blocking_receive_unless_told() -> None:
    layer = redis_layer()

    assert layer.hosts[0]["socket_timeout"] > layer.brpop_timeout


@pytest.mark.parametrize("failures", [1, GROUP_TRIES - 1])
def test_leaving_a_group_is_tried_again_after_a_connection_error(
    monkeypatch: pytest.MonkeyPatch, failures: int
) -> None:
    tries: list[str] = []
    pauses: list[float] = []

    async def flaky(self: object, group: str, channel: str) -> None:
        tries.append(channel)
        if len(tries) <= failures:
            raise MaxConnectionsError("Too many connections")

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(ChannelsRedisLayer, "group_discard", flaky)
    monkeypatch.setattr(channel_layer.asyncio, "sleep", pause)

    async_to_sync(redis_layer().group_discard)("booking-1", "specific.a!b")

    assert len(tries) == failures + 1
    assert pauses == sorted(pauses)  # backing off
    assert sum(pauses) < 1.0


def test_leaving_a_group_gives_up_after_a_few_tries(monkeypatch: pytest.MonkeyPatch) -> None:
    tries: list[str] = []

    async def down(self: object, group: str, channel: str) -> None:
        tries.append(channel)
        raise RedisConnectionError("Connection refused")

    async def pause(seconds: float) -> None:
        pass

    monkeypatch.setattr(ChannelsRedisLayer, "group_add", down)
    monkeypatch.setattr(channel_layer.asyncio, "sleep", pause)

    with pytest.raises(RedisConnectionError):
        async_to_sync(redis_layer().group_add)("booking-1", "specific.a!b")
    assert len(tries) == GROUP_TRIES
