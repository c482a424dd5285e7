"""A crowd of viewers leaving at once leaves no subscription behind in Redis.

Every channel still in a booking's group gets each later update of that booking, until
Redis forgets it a day later. Here 1,000 sockets of 200 visits leave at the same moment
(the consumers' own disconnect path, on the configured Redis channel layer); then the
groups, the sorted sets channels-redis keeps in Redis, must be empty.
"""

from __future__ import annotations

import asyncio
import os
import secrets

import pytest
import redis
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from doorstep.tracking import live
from doorstep.tracking.consumers import VisitLinkConsumer

pytestmark = pytest.mark.redis

VIEWERS = 1_000
BOOKINGS = 200
JOINING_AT_ONCE = 50  # they arrived over a while; they all leave at once


@pytest.fixture
def layer() -> RedisChannelLayer:
    layer = get_channel_layer()
    if not os.environ.get("REDIS_URL") or not isinstance(layer, RedisChannelLayer):
        pytest.skip("needs the Redis channel layer: run with REDIS_URL=redis://…")
    return layer


def members(layer: RedisChannelLayer, booking_ids: list[int]) -> int:
    """Channels still subscribed to these bookings' groups, read from Redis itself."""
    with redis.Redis.from_url(os.environ["REDIS_URL"]) as connection:
        return sum(
            connection.zcard(f"{layer.prefix}:group:{live.group_name(booking_id)}")
            for booking_id in booking_ids
        )


async def test_a_thousand_viewers_leaving_at_once_leave_every_group_empty(
    layer: RedisChannelLayer,
) -> None:
    # Booking ids of this run only: the Redis database may be shared with other runs.
    first = 10**12 + secrets.randbelow(10**12)
    booking_ids = [first + n for n in range(BOOKINGS)]
    viewers: list[VisitLinkConsumer] = []
    for n in range(VIEWERS):
        viewer = VisitLinkConsumer()
        viewer.channel_layer = layer
        viewer.channel_name = await layer.new_channel()
        viewer.booking_id = booking_ids[n % BOOKINGS]
        viewers.append(viewer)
    for start in range(0, VIEWERS, JOINING_AT_ONCE):
        await asyncio.gather(
            *(
                layer.group_add(live.group_name(viewer.booking_id), viewer.channel_name)
                for viewer in viewers[start : start + JOINING_AT_ONCE]
            )
        )
    assert members(layer, booking_ids) == VIEWERS

    async def leave(viewer: VisitLinkConsumer) -> None:
        with pytest.raises(StopConsumer):
            await viewer.websocket_disconnect({"type": "websocket.disconnect", "code": 1001})

    outcomes = await asyncio.gather(*(leave(v) for v in viewers), return_exceptions=True)

    assert [o for o in outcomes if o is not None] == []
    assert members(layer, booking_ids) == 0
