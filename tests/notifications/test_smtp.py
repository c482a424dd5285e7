"""Sending to a real SMTP server (aiosmtpd): refusals are retried, a batch shares one
session, and the attempt records when each message is about to be complete."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import OperationalError
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import reconcile, sending
from doorstep.notifications.models import DeliveryAttempt, Notification, NotificationState
from tests.notifications.conftest import book


@dataclass(frozen=True)
class Received:
    message_id: str
    subject: str
    to: tuple[str, ...]
    peer: tuple[str, int]  # the client's end of the SMTP session that carried it


class RecordingHandler:
    """What an SMTP server does with each message: refuse the first few, keep the rest.

    `on_recipient` and `on_message` run with the message's number (from 1) before the
    server answers RCPT and DATA; the crash tests kill the sending worker there. Each
    kept message's Message-ID is also appended to `record_file`, which another process
    reads as the provider's record of what it accepted.
    """

    def __init__(
        self,
        *,
        refuse_first: int = 0,
        record_file: Path | None = None,
        answer_delay: float = 0.0,
    ) -> None:
        self.refuse_first = refuse_first
        self.record_file = record_file
        self.answer_delay = answer_delay  # seconds between keeping a message and saying so
        self.received: list[Received] = []
        self.offered = 0
        self.recipients = 0
        self.on_recipient: Callable[[int], None] | None = None
        self.on_message: Callable[[int], None] | None = None
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.recipients += 1
        if self.on_recipient is not None:
            self.on_recipient(self.recipients)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.offered += 1
            number = self.offered
        if number <= self.refuse_first:
            return "451 4.3.0 Mailbox busy, try again later"
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        received = Received(
            message_id=str(message["Message-ID"]),
            subject=str(message["Subject"]),
            to=tuple(envelope.rcpt_tos),
            peer=tuple(session.peer),  # type: ignore[arg-type]
        )
        with self._lock:
            self.received.append(received)
            if self.record_file is not None:
                with self.record_file.open("a") as record:
                    record.write(received.message_id + "\n")
        # The server holds the message from here on; a client that dies before it reads
        # the reply cannot know that.
        if self.on_message is not None:
            self.on_message(len(self.received))
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)  # as a real server writes its queue file
        return "250 2.0.0 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """An aiosmtpd server on a free local port, in a thread of this process."""

    def __init__(self, handler: RecordingHandler) -> None:
        self.handler = handler
        self.port = free_port()
        self._controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def mailer_settings(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "doorstep.notifications.email_backends.SmtpBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp(handler: RecordingHandler, settings) -> Iterator[SmtpServer]:  # type: ignore[no-untyped-def]
    with SmtpServer(handler) as server:
        settings.MAILERS = server.mailer_settings()
        yield server


@pytest.fixture
def email_only(db: None) -> None:
    portal = PortalSettings.load()
    portal.communication_type = "email"
    portal.save()


def make_due(row: Notification) -> None:
    # Rather than wait out the backoff, move the retry to now.
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


@pytest.mark.django_db
@pytest.mark.usefixtures("email_only")
def test_a_refused_email_is_retried_and_reaches_the_server_once(
    contact, smtp: SmtpServer, handler: RecordingHandler
) -> None:  # type: ignore[no-untyped-def]
    handler.refuse_first = 2
    booking = book(contact)
    row = Notification.objects.get(booking=booking)

    assert sending.send_due(worker="test").retried == 1
    row.refresh_from_db()
    assert row.state == NotificationState.PENDING
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=40)
    assert sending.send_due(worker="test").claimed == 0  # waits for its backoff

    make_due(row)
    assert sending.send_due(worker="test").retried == 1
    make_due(row)
    assert sending.send_due(worker="test").sent == 1
    make_due(row)
    assert sending.send_due(worker="test").claimed == 0  # sent rows stay sent

    [received] = handler.received
    assert handler.offered == 3
    assert received.to == ("pat@example.test",)
    assert booking.reference in received.subject
    row.refresh_from_db()
    assert row.state == NotificationState.SENT
    assert row.attempts == 3
    assert row.provider_message_id == received.message_id
    attempts = list(row.delivery_attempts.order_by("started_at", "pk"))
    assert [a.succeeded for a in attempts] == [False, False, True]
    assert all("451" in a.error for a in attempts[:2])


@pytest.mark.django_db
@pytest.mark.usefixtures("email_only")
def test_a_batch_is_sent_over_one_smtp_session(
    contact, smtp: SmtpServer, handler: RecordingHandler
) -> None:  # type: ignore[no-untyped-def]
    for day in range(1, 6):
        start = (timezone.now() + timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        book(contact, start=start)

    result = sending.send_due(worker="test")

    assert (result.claimed, result.sent) == (5, 5)
    assert len(handler.received) == 5
    assert len({message.peer for message in handler.received}) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("email_only")
def test_a_refusal_does_not_end_the_batch(
    contact, smtp: SmtpServer, handler: RecordingHandler
) -> None:  # type: ignore[no-untyped-def]
    handler.refuse_first = 1
    for day in range(1, 4):
        start = (timezone.now() + timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        book(contact, start=start)

    result = sending.send_due(worker="test")

    assert (result.claimed, result.sent, result.retried) == (3, 2, 1)
    assert len({message.peer for message in handler.received}) == 1


# --- The moment of hand-over ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("email_only")
def test_each_attempt_is_marked_handed_over_just_before_the_message_ends(
    contact, smtp: SmtpServer, handler: RecordingHandler, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    seen_at_hand_over: list[tuple[int, int]] = []
    mark = reconcile.mark_handed_over

    def marking(*, attempt):  # type: ignore[no-untyped-def]
        # All of the message is on its way but its last line: the server holds nothing yet.
        seen_at_hand_over.append((handler.recipients, len(handler.received)))
        mark(attempt=attempt)

    monkeypatch.setattr(reconcile, "mark_handed_over", marking)
    for day in (1, 2):
        start = (timezone.now() + timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        book(contact, start=start)

    assert sending.send_due(worker="test").sent == 2

    assert seen_at_hand_over == [(1, 0), (2, 1)]
    attempts = DeliveryAttempt.objects.order_by("pk")
    assert all(a.started_at <= a.handed_over_at <= a.finished_at for a in attempts)
    assert len(handler.received) == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("email_only")
def test_a_message_whose_hand_over_fails_is_dropped_by_the_server_and_retried(
    contact, smtp: SmtpServer, handler: RecordingHandler, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def database_gone(*, attempt):  # type: ignore[no-untyped-def]
        raise OperationalError("the database went away")

    monkeypatch.setattr(reconcile, "mark_handed_over", database_gone)
    for day in (1, 2):
        start = (timezone.now() + timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        book(contact, start=start)

    result = sending.send_due(worker="test")

    assert (result.sent, result.retried) == (0, 2)
    assert handler.received == []  # neither message was ended, so neither was kept
    assert handler.recipients == 2  # the second went over a new connection, not a dead one
