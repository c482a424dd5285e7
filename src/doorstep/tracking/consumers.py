"""The live visit over a WebSocket: the state at once, then each "visit.update" as it happens.

Two doors to the same stream: `ws/visits/<code>/` for whoever holds a valid visit link,
and `ws/bookings/<id>/` for a signed-in contact of the booking's account. A refused
socket is accepted and closed at once with `NOT_AVAILABLE` (4404), the same for an
unknown, expired or blocked code and another account's booking, so the page can tell
"stop trying" from a network failure, and a prober learns nothing more.

What the messages hold, and the privacy rules, are `tracking.live`'s: every viewer of a
booking gets the same payload.
"""

from __future__ import annotations

import random
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from doorstep.notifications.visit_links import find_valid_link
from doorstep.portal.selectors import account_bookings
from doorstep.tracking import live

NOT_AVAILABLE = 4404
# A code blocked or expired while its page is open stops the stream within this time
# (checked when an update arrives, so an idle socket costs no queries). Each socket
# starts its count at a random point of the interval: viewers that connected together
# would otherwise all check at the same moment, and hold up every update behind a
# thousand queries at once.
RECHECK_SECONDS = 30.0


class _LiveVisitConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    booking_id: int | None = None
    checked_at = 0.0

    def allowed_booking_id(self) -> int | None:
        """The booking this socket may follow, or None; runs in a thread (database)."""
        raise NotImplementedError

    async def connect(self) -> None:
        booking_id = await database_sync_to_async(self.allowed_booking_id)()
        await self.accept()
        if booking_id is None:
            await self.close(code=NOT_AVAILABLE)
            return
        self.booking_id = booking_id
        self.checked_at = time.monotonic() - random.uniform(0, RECHECK_SECONDS)  # noqa: S311
        # Join before reading the state: an update that lands in between is newer than
        # the state and is delivered after it (a consumer handles one message at a time).
        await self.channel_layer.group_add(live.group_name(booking_id), self.channel_name)
        state = await database_sync_to_async(live.visit_state)(booking_id=booking_id)
        if state is None:
            await self.close(code=NOT_AVAILABLE)
            return
        await self.send_json(state)

    async def disconnect(self, code: int) -> None:
        if self.booking_id is not None:
            await self.channel_layer.group_discard(
                live.group_name(self.booking_id), self.channel_name
            )
            self.booking_id = None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Viewers only listen; whatever they send is ignored."""

    async def visit_update(self, message: dict[str, Any]) -> None:
        if self.booking_id is None:
            return
        if time.monotonic() - self.checked_at > RECHECK_SECONDS:
            if await database_sync_to_async(self.allowed_booking_id)() != self.booking_id:
                await self.disconnect(NOT_AVAILABLE)
                await self.close(code=NOT_AVAILABLE)
                return
            self.checked_at = time.monotonic()
        await self.send_json(message)


class VisitLinkConsumer(_LiveVisitConsumer):
    """`ws/visits/<code>/`: the visit of a valid visit link."""

    def allowed_booking_id(self) -> int | None:
        link = find_valid_link(str(self.scope["url_route"]["kwargs"]["code"]))
        return link.booking_id if link is not None else None


class AccountVisitConsumer(_LiveVisitConsumer):
    """`ws/bookings/<id>/`: a visit of the signed-in contact's account ("View live map")."""

    def allowed_booking_id(self) -> int | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        contact = getattr(user, "contact", None)
        if contact is None:
            return None
        booking_id = int(self.scope["url_route"]["kwargs"]["booking_id"])
        found: int | None = (
            account_bookings(contact).filter(pk=booking_id).values_list("pk", flat=True).first()
        )
        return found
