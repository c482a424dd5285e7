"""The live visit over a WebSocket: the state at once, then each "visit.update" as it happens.

Two doors to the same stream: `ws/visits/<code>/` for whoever holds a valid visit link,
and `ws/bookings/<id>/` for a signed-in contact of the booking's account. A refused
socket is accepted and closed at once with `NOT_AVAILABLE` (4404), the same for an
unknown, expired or blocked code and another account's booking, so the page can tell
"stop trying" from a network failure, and a prober learns nothing more. Past
`VISIT_CODE_LIMIT` wrong codes from one client address in a window, every code gets
that answer; so does any path no route matches.

What the messages hold, and the privacy rules, are `tracking.live`'s: every viewer of a
booking gets the same payload.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

from asgiref.typing import ASGIReceiveCallable, ASGISendCallable, Scope
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from doorstep.access.visit_links import valid_link_facts
from doorstep.core.rate_limits import (
    VISIT_CODE_LIMIT,
    VISIT_CODE_WINDOW_SECONDS,
    client_address,
    count_in_window,
    counted_so_far,
)
from doorstep.scheduling.selectors import account_bookings
from doorstep.tracking import live

NOT_AVAILABLE = 4404


async def not_available(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    """Any other WebSocket path: refused like an unknown code, and nothing logged.

    A path no route matches would otherwise end in an exception in the router, a
    handshake answered 500 and a traceback in the log.
    """
    while (message := await receive())["type"] != "websocket.disconnect":
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept", "subprotocol": None, "headers": []})
            await send({"type": "websocket.close", "code": NOT_AVAILABLE, "reason": ""})


class _LiveVisitConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    booking_id: int | None = None
    seq = 0  # the number of the latest state this socket was sent
    # The right to follow the booking is checked again on the first update after this
    # long. Each socket starts its count at a random point of the interval: sockets that
    # connected together would otherwise all check at once, and hold up every update.
    recheck_seconds = 30.0
    checked_at = 0.0

    def allowed_booking_id(self) -> int | None:
        """The booking this socket may follow, or None; runs in a thread (database)."""
        raise NotImplementedError

    def admitted_booking_id(self) -> int | None:
        """At connect: the booking this socket may follow, or None; runs in a thread."""
        return self.allowed_booking_id()

    def must_recheck(self) -> bool:
        return time.monotonic() - self.checked_at > self.recheck_seconds

    async def still_allowed(self) -> bool:
        """Whether the socket may still follow its booking, asked before each update."""
        if not self.must_recheck():
            return True
        found: int | None = await database_sync_to_async(self.allowed_booking_id)()
        self.checked_at = time.monotonic()
        return found == self.booking_id

    async def connect(self) -> None:
        booking_id = await database_sync_to_async(self.admitted_booking_id)()
        await self.accept()
        if booking_id is None:
            await self.close(code=NOT_AVAILABLE)
            return
        self.booking_id = booking_id
        self.checked_at = time.monotonic() - random.uniform(0, self.recheck_seconds)  # noqa: S311
        # Join before reading the state: an update that lands in between is newer than
        # the state and is delivered after it (a consumer handles one message at a time).
        await self.channel_layer.group_add(live.group_name(booking_id), self.channel_name)
        state = await database_sync_to_async(live.visit_state)(booking_id=booking_id)
        if state is None:
            await self.close(code=NOT_AVAILABLE)
            return
        self.seq = state["seq"]
        await self.send_json(state)

    async def disconnect(self, code: int) -> None:
        if self.booking_id is not None:
            await self.channel_layer.group_discard(
                live.group_name(self.booking_id), self.channel_name
            )
            self.booking_id = None

    async def refuse(self) -> None:
        await self.disconnect(NOT_AVAILABLE)
        await self.close(code=NOT_AVAILABLE)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Viewers only listen; whatever they send is ignored."""

    async def visit_update(self, message: dict[str, Any]) -> None:
        if self.booking_id is None:
            return
        # An update older than what this socket was sent (delivered late, out of order).
        if message.get("seq", 0) < self.seq:
            return
        self.seq = message.get("seq", 0)
        if not await self.still_allowed():
            await self.refuse()
            return
        await self.send_json(message)

    async def visit_link_revoked(self, message: dict[str, Any]) -> None:
        """Staff blocked or expired one of the booking's codes (`tracking.live`)."""


class VisitLinkConsumer(_LiveVisitConsumer):
    """`ws/visits/<code>/`: the visit of a valid visit link.

    A code staff block or expire closes its sockets at once: a "visit.link_revoked"
    message reaches the booking's group (`tracking.live.on_link_revoked`). The code's end
    is compared with the clock at each update, without a query; the database is asked
    again only when that end has passed (it may have been extended) and every two
    minutes, in case the staff's message was lost on its way.
    """

    recheck_seconds = 120.0
    link_id: int | None = None
    expires_at: datetime | None = None

    def admitted_booking_id(self) -> int | None:
        # Wrong codes are counted per client address (in the cache, so across processes
        # when it is Redis). Past the limit every code is refused unread, with the very
        # answer a wrong code gets: a guesser learns neither that a code exists nor that
        # they are held back. A page with a valid code is never counted.
        window = int(time.time() // VISIT_CODE_WINDOW_SECONDS)
        key = f"visit-socket-misses:{self.client_address()}:{window}"
        if counted_so_far(key) >= VISIT_CODE_LIMIT:
            return None
        booking_id = self.allowed_booking_id()
        if booking_id is None:
            count_in_window(key, window_seconds=VISIT_CODE_WINDOW_SECONDS)
        return booking_id

    def client_address(self) -> str:
        forwarded_for = b",".join(
            value for name, value in self.scope.get("headers", []) if name == b"x-forwarded-for"
        )
        peer = self.scope.get("client") or ("", 0)
        return client_address(
            remote_addr=str(peer[0]), forwarded_for=forwarded_for.decode("latin-1")
        )

    def allowed_booking_id(self) -> int | None:
        link = valid_link_facts(str(self.scope["url_route"]["kwargs"]["code"]))
        if link is None:
            return None
        self.link_id, self.expires_at = link.pk, link.expires_at
        return link.booking_id

    def must_recheck(self) -> bool:
        ended = self.expires_at is not None and timezone.now() >= self.expires_at
        return ended or super().must_recheck()

    async def visit_link_revoked(self, message: dict[str, Any]) -> None:
        if self.booking_id is not None and message.get("link_id") == self.link_id:
            await self.refuse()


class AccountVisitConsumer(_LiveVisitConsumer):
    """`ws/bookings/<id>/`: a visit of the signed-in contact's account ("View live map").

    The contact's right to it (the account's contacts change, a user is deactivated)
    is checked again every 30 seconds.
    """

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
