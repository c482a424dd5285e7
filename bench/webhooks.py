"""Webhooks: deliveries a second from one worker, and the time from a booking to its event.

1. Throughput: 2,000 pending deliveries (one endpoint) sent by `sending.send_due` in a
   loop, as the send_webhooks task runs it, to a local receiver in its own process (HTTP/1.1,
   connections kept open). Target: ≥ 300 deliveries/s.
2. Latency: bookings made one by one through `create_booking` while the background worker
   runs as `doorstep serve` runs it (a thread polling the database task queue every second,
   woken at once by each task the outbox's event enqueues); the time from each booking's
   commit to its `booking.created` event reaching the receiver. Target: p99 ≤ 1 s. Then
   again with the wake-up switched off, as a worker in another process sees it on SQLite
   (on PostgreSQL a NOTIFY wakes it): the poll alone.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from datetime import timedelta

from django.db import transaction
from django.tasks.signals import task_enqueued
from django.test.utils import override_settings
from django.utils import timezone

from bench.outboxes import START, Receiver, customer_with_work_orders

DELIVERIES = 2_000
BOOKINGS = 200

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
    receiver = Receiver(RECEIVER)
    with receiver:
        url = f"http://127.0.0.1:{receiver.port}/hooks"
        with override_settings(DOORSTEP_WEBHOOKS_ALLOW_PRIVATE=True):
            throughput(url)
            runs = {"woken by each enqueued task": latency(url, numbers="A")}
            task_enqueued.disconnect(dispatch_uid="doorstep.wake_workers")
            try:
                runs["the 1 s poll alone"] = latency(url, numbers="B")
            finally:
                from doorstep.project.background import announce_enqueued

                task_enqueued.connect(announce_enqueued, dispatch_uid="doorstep.wake_workers")
    arrivals = json.loads(receiver.result or "[]")
    ids = [event_id for event_id, _, _ in arrivals]
    print(f"receiver: {len(ids)} events, {len(ids) - len(set(ids))} received twice")
    arrived = {booking: at for _, booking, at in arrivals if booking is not None}
    for how, latencies in runs.items():
        delays = sorted(arrived[b] - made for b, made in latencies.items() if b in arrived)
        if not delays:
            continue
        p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
        print(
            f"booking to webhook, serve's worker, {how}: "
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


def latency(url: str, *, numbers: str) -> dict[int, float]:
    """Bookings made one by one with the worker running as in `doorstep serve`; when each
    was committed."""
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from doorstep.project.background import WorkerThread
    from doorstep.scheduling.services import create_booking
    from doorstep.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
    from doorstep.webhooks.services import new_secret

    WebhookEndpoint.objects.get_or_create(
        url=url, defaults={"secret": new_secret(), "event_types": ["booking.created"]}
    )
    customer = customer_with_work_orders(BOOKINGS, numbers=numbers)
    first_day = START + timedelta(days=100 * (ord(numbers) - ord("A")))
    worker = WorkerThread()
    worker.start()
    made: dict[int, float] = {}
    try:
        for n, work_order in enumerate(customer.work_orders):
            with transaction.atomic():
                booking = create_booking(
                    work_order=work_order,
                    resource=customer.technician,
                    start=first_day + timedelta(hours=n),
                    end=first_day + timedelta(hours=n + 1),
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
