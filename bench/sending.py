"""Send throughput of one worker: 2,000 pending emails to a local SMTP server (aiosmtpd).

The worker is `sending.send_due` in a loop, as the send_notifications task runs it: one
email connection reused for each batch of BATCH_SIZE. The server runs in its own process,
as a real mail server would (`outboxes.Receiver`).
Every row is the Confirmed email of its own booking, with its HTML, its .ics invitation
and a visit link issued at sending time.

Target: ≥ 200 emails/s with one worker; a fixed number of SQL queries per batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from bench.outboxes import START, Receiver, customer_with_work_orders

EMAILS = 2_000

# A local SMTP server that accepts everything and, when its input closes, prints how many
# messages it received.
SERVER = """
import sys
from aiosmtpd.controller import Controller

class Count:
    received = 0

    async def handle_DATA(self, server, session, envelope):
        Count.received += 1
        return "250 2.0.0 OK"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(Count.received, flush=True)
"""


def run() -> None:
    from doorstep.notifications import sending
    from doorstep.notifications.models import Notification, NotificationState

    started = time.perf_counter()
    _load_rows()
    print(f"data: {EMAILS} pending emails ({time.perf_counter() - started:.1f} s to load)")

    server = Receiver(SERVER)
    queries = _QueryCounter()
    batches = sent = 0
    with server:
        mailers = {
            "default": {
                "BACKEND": "doorstep.notifications.email_backends.SmtpBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
            }
        }
        with override_settings(MAILERS=mailers), connection.execute_wrapper(queries):
            began, began_cpu = time.perf_counter(), time.process_time()
            while (result := sending.send_due(worker="bench")).claimed:
                batches += 1
                sent += result.sent
            elapsed = time.perf_counter() - began
            cpu = time.process_time() - began_cpu

    assert Notification.objects.filter(state=NotificationState.SENT).count() == EMAILS
    print(
        f"sent {sent} emails in {elapsed:.2f} s with one worker: {sent / elapsed:.0f} emails/s "
        f"({batches} batches of {sending.BATCH_SIZE}, one SMTP connection each; "
        f"the server received {server.result})"
    )
    # On a busy machine the wall clock varies from run to run; the worker's own CPU time
    # per email does not, and bounds what one worker can do with a core to itself.
    print(
        f"worker CPU time: {cpu / sent * 1000:.2f} ms per email "
        f"(at most {sent / cpu:.0f} emails/s with a core of its own)"
    )
    print(
        f"SQL queries: {queries.count / batches:.0f} per batch "
        f"({queries.count / max(sent, 1):.1f} per email)"
    )


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@transaction.atomic
def _load_rows() -> None:
    """One customer with EMAILS bookings, each with its Confirmed email pending."""
    from doorstep.configuration.models import PortalSettings
    from doorstep.notifications import rendering
    from doorstep.notifications.models import Channel, MessageType, Notification
    from doorstep.scheduling.calendar import visit_calendar
    from doorstep.scheduling.models import Booking, BookingStatus

    portal = PortalSettings.load()
    customer = customer_with_work_orders(EMAILS, numbers="S", contact=True)
    contact = customer.work_orders[0].reported_by
    technician = customer.technician
    work_orders = customer.work_orders
    bookings = Booking.objects.bulk_create(
        Booking(
            work_order=work_order,
            resource=technician,
            start=START + timedelta(hours=n),
            end=START + timedelta(hours=n + 1),
            status=BookingStatus.SCHEDULED,
            reference=f"S{n:07d}",
        )
        for n, work_order in enumerate(work_orders)
    )
    # One rendering stands for all: the worker's cost does not depend on the words.
    first = Booking.objects.select_related("work_order__account", "resource").get(pk=bookings[0].pk)
    rendered = rendering.render(
        booking=first,
        message_type=MessageType.CONFIRMED,
        channel=Channel.EMAIL,
        contact=contact,
        language="en",
        portal=portal,
    )
    calendar = visit_calendar(first, method="REQUEST").decode()
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            booking=booking,
            message_type=MessageType.CONFIRMED,
            channel=Channel.EMAIL,
            contact=contact,
            address=f"customer{n}@example.test",
            subject=rendered.subject,
            body=rendered.body,
            body_html=rendered.body_html,
            calendar=calendar,
            next_attempt_at=now,
            idempotency_key=f"bench:{booking.pk}",
            created_at=now,
        )
        for n, booking in enumerate(bookings)
    )
