"""Webhooks: deliveries a second from one worker, and the time from a booking to its event.

1. Throughput: 2,000 pending deliveries (one endpoint) sent by `sending.send_due` in a
   loop, as the send_webhooks task runs it, to a local receiver in its own process (HTTP/1.1,
   connections kept open). Target: ≥ 300 deliveries/s.
2. Latency: bookings made one by one through `create_booking` while the background worker
   runs as `doorstep serve` runs it (the database task queue, woken by the outbox's event);
   the time from each booking's commit to its `booking.created` event reaching the
   receiver. Target: p99 ≤ 1 s.
"""

from __future__ import annotations

import json
import logging
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

DELIVERIES = 2_000
BOOKINGS = 200
START = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)

# A receiver that answers 204 at once and, when its input closes, prints each event's id,
# its booking (if any) and when it arrived.
RECEIVER = """
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

arrivals = []

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        arrived = time.time()
        booking = (json.loads(body).get("data") or {}).get("booking") or {}
        arrivals.append((self.headers["webhook-id"], booking.get("id"), arrived))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
print(json.dumps(arrivals), flush=True)
"""


def run() -> None:
    port = _free_port()
    receiver = subprocess.Popen(  # noqa: S603 (our own receiver script, run by this Python)
        [sys.executable, "-c", RECEIVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert receiver.stdout is not None
    assert receiver.stdin is not None
    receiver.stdout.readline()
    url = f"http://127.0.0.1:{port}/hooks"
    try:
        with override_settings(DOORSTEP_WEBHOOKS_ALLOW_PRIVATE=True):
            throughput(url)
            # As `doorstep serve` runs its worker, and as `doorstep worker --interval 0.5`.
            runs = {interval: latency(url, interval=interval) for interval in (1.0, 0.5)}
    finally:
        receiver.stdin.close()
        arrivals = json.loads(receiver.stdout.readline() or "[]")
        receiver.wait(timeout=10)
    ids = [event_id for event_id, _, _ in arrivals]
    print(f"receiver: {len(ids)} events, {len(ids) - len(set(ids))} received twice")
    arrived = {booking: at for _, booking, at in arrivals if booking is not None}
    for interval, latencies in runs.items():
        delays = sorted(arrived[b] - made for b, made in latencies.items() if b in arrived)
        if not delays:
            continue
        p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
        print(
            f"booking to webhook, worker polling every {interval} s when idle: "
            f"{len(delays)}/{len(latencies)} arrived, p50 {statistics.median(delays) * 1000:.0f} "
            f"ms, p99 {p99 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms (target p99 ≤ 1000 ms)"
        )


def throughput(url: str) -> None:
    from doorstep.webhooks import outbox, sending
    from doorstep.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
    from doorstep.webhooks.services import new_secret

    endpoint = WebhookEndpoint.objects.create(url=url, secret=new_secret())
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_id=outbox.new_event_id(),
            event_type="booking.created",
            resource=f"booking:{n}",
            payload={"type": "booking.created", "data": {"booking": {"id": -n, "reference": "X"}}},
            next_attempt_at=now,
            created_at=now,
        )
        for n in range(1, DELIVERIES + 1)
    )
    started = time.perf_counter()
    while sending.send_due(worker="bench").claimed:
        pass
    elapsed = time.perf_counter() - started
    delivered = WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).count()
    print(
        f"one worker: {delivered}/{DELIVERIES} delivered in {elapsed:.2f} s = "
        f"{delivered / elapsed:.0f} deliveries/s (target ≥ 300/s)"
    )
    endpoint.delete()


def latency(url: str, *, interval: float) -> dict[int, float]:
    """Bookings made one by one with the worker running (polling its queue every
    `interval` seconds when idle, 1 s in `doorstep serve`); when each was committed."""
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from doorstep.project.background import WorkerThread
    from doorstep.scheduling.services import create_booking
    from doorstep.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
    from doorstep.webhooks.services import new_secret

    WebhookEndpoint.objects.get_or_create(
        url=url, defaults={"secret": new_secret(), "event_types": ["booking.created"]}
    )
    technician, work_orders = _world(offset=int(interval * 1000))
    worker = WorkerThread(interval=interval)
    worker.start()
    made: dict[int, float] = {}
    try:
        for n, work_order in enumerate(work_orders):
            with transaction.atomic():
                booking = create_booking(
                    work_order=work_order,
                    resource=technician,
                    start=START + timedelta(days=interval * 100, hours=n),
                    end=START + timedelta(days=interval * 100, hours=n + 1),
                )
            made[booking.pk] = time.time()
            time.sleep(0.05)
        deadline = time.monotonic() + 30
        pending = WebhookDelivery.objects.exclude(state=DeliveryState.DELIVERED)
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.stop()
        worker.join(timeout=10)
    return made


@transaction.atomic
def _world(*, offset: int) -> tuple[Any, list[Any]]:
    from doorstep.catalog.models import IncidentType
    from doorstep.customers.models import Account
    from doorstep.scheduling.models import WorkOrder
    from doorstep.workforce.models import Resource

    account = Account.objects.create(
        name="Bench customer",
        address_line1="1 Bench Street",
        city="Denver",
        country="US",
        latitude=Decimal("39.739200"),
        longitude=Decimal("-104.990300"),
        time_zone="America/Denver",
    )
    service, _ = IncidentType.objects.get_or_create(
        name="Boiler service",
        defaults={"display_name": "Boiler service", "estimated_duration_minutes": 60},
    )
    technician = Resource.objects.create(
        display_name="Alex R.",
        home_latitude=Decimal("39.700000"),
        home_longitude=Decimal("-104.950000"),
        time_zone="America/Denver",
    )
    work_orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"WO-W{offset}-{n:06d}",
            account=account,
            incident_type=service,
            address_line1=account.address_line1,
            city=account.city,
            country=account.country,
        )
        for n in range(BOOKINGS)
    )
    return technician, work_orders


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
