"""Send throughput of one worker: 2,000 pending emails to a local SMTP server (aiosmtpd).

The worker is `sending.send_due` in a loop, as the send_notifications task runs it: one
email connection reused for each batch of BATCH_SIZE. The server runs in its own process,
as a real mail server would, so the two do not share this process's interpreter lock.
Every row is the Confirmed email of its own booking, with its HTML, its .ics invitation
and a visit link issued at sending time.

Target: ≥ 200 emails/s with one worker; a fixed number of SQL queries per batch.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

EMAILS = 2_000
START = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)

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

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own server script, run by this Python)
        [sys.executable, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdout.readline().strip() == "ready"
    mailers = {
        "default": {
            "BACKEND": "doorstep.notifications.email_backends.SmtpBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    queries = _QueryCounter()
    batches = sent = 0
    try:
        with override_settings(MAILERS=mailers), connection.execute_wrapper(queries):
            began, began_cpu = time.perf_counter(), time.process_time()
            while (result := sending.send_due(worker="bench")).claimed:
                batches += 1
                sent += result.sent
            elapsed = time.perf_counter() - began
            cpu = time.process_time() - began_cpu
    finally:
        received, _ = server.communicate(input="", timeout=30)

    assert Notification.objects.filter(state=NotificationState.SENT).count() == EMAILS
    print(
        f"sent {sent} emails in {elapsed:.2f} s with one worker: {sent / elapsed:.0f} emails/s "
        f"({batches} batches of {sending.BATCH_SIZE}, one SMTP connection each; "
        f"the server received {received.strip()})"
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@transaction.atomic
def _load_rows() -> None:
    """One customer with EMAILS bookings, each with its Confirmed email pending."""
    from doorstep.catalog.models import IncidentType
    from doorstep.configuration.models import PortalSettings
    from doorstep.customers.models import Account, Contact
    from doorstep.notifications import rendering
    from doorstep.notifications.models import Channel, MessageType, Notification
    from doorstep.scheduling.calendar import visit_calendar
    from doorstep.scheduling.models import Booking, BookingStatus, WorkOrder
    from doorstep.workforce.models import Resource

    portal = PortalSettings.load()
    account = Account.objects.create(
        name="Bench customer",
        address_line1="1 Bench Street",
        city="Denver",
        country="US",
        latitude=Decimal("39.739200"),
        longitude=Decimal("-104.990300"),
        time_zone="America/Denver",
    )
    contact = Contact.objects.create(
        account=account,
        first_name="Pat",
        email="pat@example.test",
        communication_preference="email",
    )
    service = IncidentType.objects.create(
        name="Boiler service", display_name="Boiler service", estimated_duration_minutes=60
    )
    technician = Resource.objects.create(
        display_name="Alex R.",
        home_latitude=Decimal("39.700000"),
        home_longitude=Decimal("-104.950000"),
        time_zone="America/Denver",
    )
    work_orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"WO-S{n:06d}",
            account=account,
            reported_by=contact,
            incident_type=service,
            address_line1=account.address_line1,
            city=account.city,
            country=account.country,
        )
        for n in range(EMAILS)
    )
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
