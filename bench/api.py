"""The integration API's hottest read: `GET /api/v1/bookings`, a page of 100 visits.

Two figures:

- the SQL queries of one page with 10, 100 and 1,000 bookings in the database (they must
  not grow with the data or the page: a sync reads every page);
- requests per second of one `doorstep serve --no-worker --no-scheduler` process (this
  run's SQLite data folder, local-memory cache) with 1,000 bookings, over API_CONNECTIONS
  keep-alive connections (default 4) for API_SECONDS (default 3) in API_ROUNDS rounds
  (default 3), with the server's CPU time per request. The key's rate limit is lifted for
  the run.
"""

from __future__ import annotations

import http.client
import os
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.serving import REQUEST_TIMEOUT, Server

SIZES = (10, 100, 1_000)
PATH = "/api/v1/bookings?page_size=100"
SECONDS = float(os.environ.get("API_SECONDS", "3"))
ROUNDS = int(os.environ.get("API_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("API_CONNECTIONS", "4"))
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def run() -> None:
    from doorstep.access.api_keys import issue_api_key
    from doorstep.access.models import Scope

    _, key = issue_api_key(name="Bench", scopes={Scope.READ})
    client = Client(HTTP_HOST="127.0.0.1", headers={"Authorization": f"Bearer {key}"})
    client.get(PATH)  # the key's first use is noted once
    counts = []
    for size in SIZES:
        _add_bookings(size - _booking_count())
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(PATH)
        if answer.status_code != 200 or len(answer.json()["results"]) != min(size, 100):
            raise RuntimeError(f"GET {PATH} answered {answer.status_code}: {answer.content!r}")
        counts.append(len(captured.captured_queries))
    print(
        "queries for a page of 100: "
        + ", ".join(
            f"{count} with {size:,} bookings" for size, count in zip(SIZES, counts, strict=True)
        )
        + ("  (the same at every size)" if len(set(counts)) == 1 else "  GROWS with the data")
    )

    with Server({"DOORSTEP_API_RATE_LIMIT": "100000000"}) as server:
        rates, cpu_ms = [], []
        _load(server.port, key, 0.5)  # warm up
        for _ in range(ROUNDS):
            before = server.cpu_seconds()
            answers, seconds = _load(server.port, key, SECONDS)
            rates.append(answers / seconds)
            cpu_ms.append(1000 * (server.cpu_seconds() - before) / answers)
    print(
        f"GET {PATH}: {statistics.median(rates):.0f} requests/s on one process, "
        f"{statistics.median(cpu_ms):.1f} ms of server CPU a request (rounds: "
        + ", ".join(f"{rate:.0f}" for rate in rates)
        + " req/s)"
    )


def _load(port: int, key: str, seconds: float) -> tuple[int, float]:
    """Keep CONNECTIONS keep-alive connections busy for `seconds`; the answers counted."""
    answers = [0] * CONNECTIONS
    errors: list[str] = []
    began = time.perf_counter()
    deadline = began + seconds

    def visitor(index: int) -> None:
        link = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        headers = {"Authorization": f"Bearer {key}", "Host": f"127.0.0.1:{port}"}
        try:
            while time.perf_counter() < deadline:
                link.request("GET", PATH, headers=headers)
                response = link.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(str(response.status))
                    return
                answers[index] += 1
        finally:
            link.close()

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"GET {PATH} answered {errors[:3]}")
    return sum(answers), time.perf_counter() - began


def _booking_count() -> int:
    from doorstep.scheduling.models import Booking

    return Booking.objects.count()


@transaction.atomic
def _add_bookings(count: int) -> None:
    """`count` visits, each with its own account, work order and a comment, spread over
    ten technicians (rows written directly: the figures are about reading them)."""
    from doorstep.catalog.models import IncidentType
    from doorstep.customers.models import Account
    from doorstep.scheduling.models import Booking, TimelineNote, WorkOrder
    from doorstep.workforce.models import Resource

    first = _booking_count()
    service = IncidentType.objects.get_or_create(
        name="Boiler service", defaults={"display_name": "Boiler service"}
    )[0]
    technicians = list(Resource.objects.all()[:10]) or Resource.objects.bulk_create(
        Resource(
            display_name=f"Technician {n}",
            time_zone="America/Denver",
            home_latitude=Decimal("39.74"),
            home_longitude=Decimal("-104.99"),
        )
        for n in range(10)
    )
    place = {"address_line1": "1200 Larimer St", "city": "Denver", "country": "US",
             "latitude": Decimal("39.747"), "longitude": Decimal("-104.999")}  # fmt: skip
    accounts = Account.objects.bulk_create(
        Account(name=f"Customer {first + n}", time_zone="America/Denver", **place)
        for n in range(count)
    )
    orders = WorkOrder.objects.bulk_create(
        WorkOrder(number=f"WO-B{first + n:06d}", account=account, incident_type=service, **place)
        for n, account in enumerate(accounts)
    )
    TimelineNote.objects.bulk_create(
        TimelineNote(work_order=order, text="Side gate, code 1234.") for order in orders
    )
    Booking.objects.bulk_create(
        Booking(
            work_order=order,
            resource=technicians[n % len(technicians)],
            start=START + timedelta(hours=first + n),
            end=START + timedelta(hours=first + n, minutes=45),
            reference=f"B{first + n:06d}",
        )
        for n, order in enumerate(orders)
    )
