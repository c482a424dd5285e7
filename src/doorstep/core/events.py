"""Domain events: the one place where one part of Doorstep tells others what happened.

A service calls `publish()` inside its transaction; subscribers run only after that
transaction commits, so nobody is ever told of a change that was rolled back.

Events published so far (name: payload keys):

- ``booking.created``: booking_id
- ``booking.status_changed``: booking_id, from_status, to_status, changed_by_id
- ``booking.canceled``: booking_id, reason
- ``booking.rescheduled``: booking_id, old_start, old_end, new_start, new_end (ISO 8601),
  for moves of more than ten minutes
- ``booking.moved``: booking_id, for every change of a visit's time, however small
  (``booking.rescheduled`` also carries changed_by_id)
- ``booking.eta_changed``: etas, a list of {booking_id, eta}: the ETAs stored at once for
  visits on their way
- ``booking.running_late``: booking_id, eta, slip (the customer is told of a slip)
- ``feedback.received``: feedback_id, booking_id
- ``notification.failed``: notification_id, booking_id, channel, message_type, error
  (a message given up after its last attempt)
- ``invitation.redeemed``: invitation_id, contact_id
- ``contact.updated``: contact_id (the customer changed their profile in the portal)
- ``contact.added``: contact_id (a new contact was saved; invitations listen)
- ``contact.invited``: contact_id, invitation_id
- ``visit_link.revoked``: link_id, booking_id (staff blocked or expired a visit code)
- ``document.published``: document_id, account_id, booking_id, site_id, asset_id (one of
  the three set), published_by_id, tell_customer (the office asked for the "new documents"
  message); a document uploaded already for the customer publishes it too, without a message
- ``tracking.positions``: positions, a list of {resource_id, latitude, longitude,
  recorded_at}: the newest position of each technician whose position moved, once per
  ingest transaction (one request, or a batch of them)

Subscribe in an app's ``AppConfig.ready()`` with ``subscribe("booking.created", fn)``.
A subscriber that fails is logged and does not stop the others.

``subscribe_in_transaction()`` is for the few subscribers whose writes must share the
fate of the change: they run at once, inside the caller's transaction, and an error
rolls the whole change back. The notification outbox is one: a message is a row
written with the booking that caused it, or neither exists.

Inside ``with events.muted():`` nothing is published: for loading data in bulk (the demo
company, imports) where nobody must be told, for example, of 400 bookings by email.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]

_subscribers: dict[str, list[Subscriber]] = defaultdict(list)
_in_transaction: dict[str, list[Subscriber]] = defaultdict(list)
_muted = threading.local()


def subscribe(name: str, subscriber: Subscriber) -> None:
    if subscriber not in _subscribers[name]:
        _subscribers[name].append(subscriber)


def subscribe_in_transaction(name: str, subscriber: Subscriber) -> None:
    if subscriber not in _in_transaction[name]:
        _in_transaction[name].append(subscriber)


def unsubscribe(name: str, subscriber: Subscriber) -> None:
    for registry in (_subscribers, _in_transaction):
        if subscriber in registry[name]:
            registry[name].remove(subscriber)


@contextmanager
def muted() -> Iterator[None]:
    """Publish nothing from this thread while inside the block."""
    before = getattr(_muted, "active", False)
    _muted.active = True
    try:
        yield
    finally:
        _muted.active = before


def publish(name: str, **payload: Any) -> None:
    """Deliver the event to its subscribers once the current transaction commits."""
    if getattr(_muted, "active", False):
        return
    event = Event(name=name, payload=payload)
    for subscriber in list(_in_transaction[name]):
        subscriber(event)
    transaction.on_commit(lambda: _deliver(event))


def _deliver(event: Event) -> None:
    for subscriber in list(_subscribers[event.name]):
        try:
            subscriber(event)
        except Exception:
            logger.exception("Subscriber %r failed on %s", subscriber, event.name)
