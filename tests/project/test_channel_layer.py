"""The live channel layer that settings choose: in memory, or Redis when REDIS_URL is set.

The SQLite run of the suite has no REDIS_URL and the PostgreSQL run sets it, so both
layers are exercised by `make test`.
"""

from __future__ import annotations

import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.cache import cache


def test_the_layer_follows_redis_url() -> None:
    layer = get_channel_layer()

    if os.environ.get("REDIS_URL"):
        from channels_redis.core import RedisChannelLayer

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


def test_the_cache_keeps_values() -> None:
    key = f"test-{uuid.uuid4().hex}"
    cache.set(key, {"eta": 12}, timeout=30)

    assert cache.get(key) == {"eta": 12}
    cache.delete(key)


def test_the_in_memory_layer_sweeps_for_expired_messages_once_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from doorstep.core import channel_layer
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
