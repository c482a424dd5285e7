"""Live tracking: 1,000 viewers of 200 Traveling visits, pings posted to one server process.

One `doorstep serve --no-worker --no-scheduler` process (this run's SQLite data folder,
the in-memory channel layer) serves everything; this process plays the technicians and
the customers with asyncio: WebSocket viewers (5 per visit, by visit code) and raw
HTTP/1.1 keep-alive connections posting to /api/v1/locations with one API key.

1. Memory: the server's RSS before and after 1,000 idle viewers connect → KiB each.
2. Latency: 200 pings/s for BENCH_TRACKING_SECONDS (default 60), one technician after the
   other; every ping has a latitude of its own, so a viewer's message tells which ping it
   carries → time from the POST being written to each of its 5 viewers receiving it.
3. Ingest: the viewers gone, INGEST_IN_FLIGHT requests in flight for INGEST_SECONDS
   → pings/s one process sustains (every ping still refreshes its visit's ETA).

The routing provider is an OSRM server that answers after BENCH_TRACKING_ROUTING_MS
(default 150 ms; 0 for the offline estimate): a stand-in on 127.0.0.1 in a thread of
this process (`bench.routing_server`). Every technician is first routed at their first
ping, then every 30 s, so a few routings a second overlap the pings throughout.

With Redis answering at REDIS_URL_BENCH the three are measured again with channels-redis
(unless BENCH_TRACKING_REDIS=0).

Targets (issues 5 and 9): p99 ≤ 250 ms, ≥ 1,000 pings/s ingest (with the 150-ms router),
≤ 128 KiB per idle viewer. The latency counts each ping's first update at each viewer;
the ETA a routing brings after it is counted apart.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.routing_server import RoutingServer
from bench.serving import (
    REQUEST_TIMEOUT,
    Connection,
    Server,
    raise_open_files_limit,
    redis_answers,
)

BOOKINGS = 200
VIEWERS_PER_BOOKING = 5
PINGS_PER_SECOND = 200
SECONDS = float(os.environ.get("BENCH_TRACKING_SECONDS", "60"))
INGEST_SECONDS = float(os.environ.get("BENCH_TRACKING_INGEST_SECONDS", "10"))
INGEST_IN_FLIGHT = 32
SEND_CONNECTIONS = 64  # keep-alive connections the 200 pings/s are posted over
CONNECTING_AT_ONCE = 50
ROUTING_DELAY = float(os.environ.get("BENCH_TRACKING_ROUTING_MS", "150")) / 1000
DRAIN_SECONDS = 10.0  # after the last ping, how long its updates may take to arrive
REDIS_URL_BENCH = "redis://127.0.0.1:6379/14"
BASE_LATITUDE = 39_000_000  # millionths of a degree; ping i has latitude 39 + i µ°
LONGITUDE = -104.95


@dataclass
class Fixture:
    key: str
    technicians: list[int]
    codes: list[str]  # VIEWERS_PER_BOOKING per booking


@dataclass
class Figures:
    sent_at: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    post_seconds: list[float] = field(default_factory=list)
    viewer_messages: int = 0
    later_updates: int = 0  # a ping's updates after its first at a viewer (a routed ETA)


def run() -> None:
    raise_open_files_limit(4 * BOOKINGS * VIEWERS_PER_BOOKING)
    started = time.perf_counter()
    fixture = _load_rows()
    print(
        f"data: {BOOKINGS} technicians with a Traveling visit each, "
        f"{len(fixture.codes)} visit codes ({time.perf_counter() - started:.1f} s to load)"
    )
    variants: list[tuple[str, dict[str, str]]] = [("in-memory channel layer", {})]
    if os.environ.get("BENCH_TRACKING_REDIS", "1") == "0":
        print("(BENCH_TRACKING_REDIS=0: the Redis variant is skipped)")
    elif redis_answers(REDIS_URL_BENCH):
        variants.append(("Redis channel layer", {"REDIS_URL": REDIS_URL_BENCH}))
    else:
        print(f"(Redis does not answer at {REDIS_URL_BENCH}: the Redis variant is skipped)")
    with ExitStack() as stack:
        routing: dict[str, str] = {}
        router = None
        if ROUTING_DELAY > 0:
            router = stack.enter_context(RoutingServer(delay=ROUTING_DELAY))
            routing = {"DOORSTEP_ROUTING_PROVIDER": "osrm", "DOORSTEP_ROUTING_URL": router.url}
            print(f"routing: an OSRM stand-in answering after {ROUTING_DELAY * 1000:.0f} ms")
        else:
            print("routing: the offline estimate")
        for name, extra in variants:
            print(f"-- {name}")
            _forget_routings()
            asked, began = (router.requests if router else 0), time.perf_counter()
            with Server({**routing, **extra}) as server:
                asyncio.run(_measure(server, fixture))
            if router is not None:
                asked = router.requests - asked
                print(
                    f"routing server: {asked} routes asked "
                    f"({asked / (time.perf_counter() - began):.1f}/s over the whole variant), "
                    f"{router.refused} refused"
                )


# --- The measurements ------------------------------------------------------------------


async def _measure(server: Server, fixture: Fixture) -> None:
    from websockets.asyncio.client import ClientConnection

    figures = Figures()
    # Warm up: the first viewer and the first posts load code paths that every later
    # connection shares, which is not the cost of a connection.
    warm = await _open_viewer(server, fixture.codes[0])
    await warm.close()
    # Just south of the measured pings (told apart by their latitude), not a jump away.
    await _post_batch(server, fixture, count=len(fixture.technicians), first=-1_000)
    await asyncio.sleep(1.0)

    before = server.rss_kib()
    viewers: list[ClientConnection] = []
    began = time.perf_counter()
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

    async def connect(code: str) -> None:
        async with gate:
            viewers.append(await _open_viewer(server, code))

    try:
        await asyncio.wait_for(
            asyncio.gather(*(connect(code) for code in fixture.codes)), timeout=120
        )
        connect_seconds = time.perf_counter() - began
        await asyncio.sleep(2.0)
        after = server.rss_kib()
        print(
            f"viewers: {len(viewers)} connected in {connect_seconds:.1f} s; server RSS "
            f"{before / 1024:.1f} → {after / 1024:.1f} MiB: "
            f"{(after - before) / len(viewers):.1f} KiB per idle viewer connection "
            "(target ≤ 128)"
        )

        readers = [asyncio.create_task(_read(viewer, figures)) for viewer in viewers]
        try:
            await _post_at_rate(server, fixture, figures)
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
        _report_latency(figures, viewers=len(viewers))
    finally:
        await asyncio.wait_for(
            asyncio.gather(*(v.close() for v in viewers), return_exceptions=True), timeout=30
        )

    await _until_quiet(server)
    await _ingest(server, fixture)


async def _until_quiet(server: Server) -> None:
    """Wait (at most 60 s) until the server has worked off what the last phase left."""
    for _ in range(60):
        before = server.cpu_seconds()
        await asyncio.sleep(1.0)
        if server.cpu_seconds() - before < 0.1:
            return
    print("(the server was still busy after 60 s)")


async def _open_viewer(server: Server, code: str) -> Any:
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    url = f"{server.base.replace('http://', 'ws://')}/ws/visits/{code}/"
    viewer = await connect(
        url, origin=Origin(server.base), open_timeout=30, ping_interval=None, close_timeout=5
    )
    state = json.loads(await asyncio.wait_for(viewer.recv(), timeout=30))
    if state.get("status") != "traveling":
        raise RuntimeError(f"unexpected first message: {state}")
    return viewer


async def _read(viewer: Any, figures: Figures) -> None:
    seen: set[int] = set()
    async for raw in viewer:
        received = time.perf_counter()
        message = json.loads(raw)
        figures.viewer_messages += 1
        latitude = message.get("latitude")
        if latitude is None:
            continue
        ping = round(latitude * 1_000_000)
        sent = figures.sent_at.get(ping)
        if sent is None:
            continue
        if ping in seen:
            figures.later_updates += 1
        else:
            seen.add(ping)
            figures.latencies.append(received - sent)


async def _post_at_rate(server: Server, fixture: Fixture, figures: Figures) -> None:
    total = int(SECONDS * PINGS_PER_SECOND)
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(SEND_CONNECTIONS):
        pool.put_nowait(Connection(server.port))
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    async def post(number: int) -> None:
        connection = await pool.get()
        try:
            technician = fixture.technicians[number % len(fixture.technicians)]
            latitude = BASE_LATITUDE + number
            body = _ping_body(technician, latitude)
            figures.sent_at[latitude] = began = time.perf_counter()
            status = await connection.post(body, key=fixture.key)
            figures.post_seconds.append(time.perf_counter() - began)
            figures.statuses[status] += 1
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            figures.errors[type(error).__name__] += 1
            await connection.close()
        finally:
            pool.put_nowait(connection)

    cpu_before = server.cpu_seconds()
    start = loop.time()
    for number in range(total):
        delay = start + number / PINGS_PER_SECOND - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(post(number))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    sending_seconds = loop.time() - start
    if tasks:
        await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + DRAIN_SECONDS)
    unanswered = len(tasks)
    for task in list(tasks):
        task.cancel()
    expected = total * VIEWERS_PER_BOOKING
    deadline = time.monotonic() + DRAIN_SECONDS
    while len(figures.latencies) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    cpu = server.cpu_seconds() - cpu_before
    busy_seconds = loop.time() - start
    while not pool.empty():
        await pool.get_nowait().close()
    print(
        f"pings: {total} posted in {sending_seconds:.1f} s ({total / sending_seconds:.0f}/s); "
        f"answers {dict(figures.statuses)}"
        + (f", errors {dict(figures.errors)}" if figures.errors else "")
        + (f", {unanswered} never answered" if unanswered else "")
        + f"; server CPU {cpu:.1f} s over {busy_seconds:.1f} s "
        f"({cpu / busy_seconds * 100:.0f} % of a core, "
        f"{cpu / total * 1000:.2f} ms per ping with its 5 deliveries)"
    )


def _report_latency(figures: Figures, *, viewers: int) -> None:
    expected = len(figures.sent_at) * VIEWERS_PER_BOOKING
    latencies = sorted(figures.latencies)
    posts = sorted(figures.post_seconds)
    if not latencies:
        print("latency: no update reached a viewer")
        return
    print(
        f"ping → viewer latency: p50 {_pct(latencies, 50) * 1000:.0f} ms, "
        f"p99 {_pct(latencies, 99) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms "
        f"(target p99 ≤ 250); {len(latencies)} of {expected} updates received "
        f"by {viewers} viewers, and {figures.later_updates} routed ETAs after them"
    )
    if posts:
        print(
            f"POST answered: p50 {_pct(posts, 50) * 1000:.0f} ms, "
            f"p99 {_pct(posts, 99) * 1000:.0f} ms"
        )


async def _ingest(server: Server, fixture: Fixture) -> None:
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    stop_at = time.perf_counter() + INGEST_SECONDS
    latencies: list[float] = []

    async def worker(number: int) -> None:
        # Each worker has technicians of its own: one technician's pings go one at a
        # time, in order, as one phone sends them.
        mine = fixture.technicians[number::INGEST_IN_FLIGHT]
        connection = Connection(server.port)
        sent = 0
        try:
            while time.perf_counter() < stop_at and sent < 1_000_000:
                # Near the last positions and moving a few metres a ping, as a driving
                # phone does: the ingest refuses jumps faster than 360 km/h.
                body = _ping_body(mine[sent % len(mine)], BASE_LATITUDE + 4_000 + sent % 100)
                sent += 1
                began = time.perf_counter()
                try:
                    statuses[await connection.post(body, key=fixture.key)] += 1
                    latencies.append(time.perf_counter() - began)
                except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
                    errors[type(e).__name__] += 1
                    await connection.close()
        finally:
            await connection.close()

    cpu_before = server.cpu_seconds()
    began = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(worker(n) for n in range(INGEST_IN_FLIGHT))),
        timeout=INGEST_SECONDS + REQUEST_TIMEOUT + 5,
    )
    elapsed = time.perf_counter() - began
    cpu = server.cpu_seconds() - cpu_before
    accepted = statuses[200]
    latencies.sort()
    print(
        f"ingest, no viewers: {accepted / elapsed:.0f} pings/s accepted by one process "
        f"(target ≥ 1,000) with {INGEST_IN_FLIGHT} requests in flight for {elapsed:.1f} s; "
        f"answers {dict(statuses)}"
        + (f", errors {dict(errors)}" if errors else "")
        + (
            f"; POST p50 {_pct(latencies, 50) * 1000:.0f} ms, "
            f"p99 {_pct(latencies, 99) * 1000:.0f} ms"
            if latencies
            else ""
        )
        + f"; server CPU {cpu / max(accepted, 1) * 1000:.2f} ms per ping "
        f"({cpu / elapsed * 100:.0f} % of a core)"
    )


async def _post_batch(server: Server, fixture: Fixture, *, count: int, first: int) -> None:
    connection = Connection(server.port)
    try:
        for n in range(count):
            technician = fixture.technicians[n % len(fixture.technicians)]
            await connection.post(
                _ping_body(technician, BASE_LATITUDE + first + n), key=fixture.key
            )
    finally:
        await connection.close()


def _ping_body(technician: int, latitude_micro: int) -> bytes:
    ping = {
        "latitude": latitude_micro / 1_000_000,
        "longitude": LONGITUDE,
        "recorded_at": datetime.now(UTC).isoformat(),
    }
    return json.dumps({"technician_id": technician, "pings": [ping]}).encode()


# --- Set-up ------------------------------------------------------------------------------


def _load_rows() -> Fixture:
    from django.db import connection, transaction

    from doorstep.access.api_keys import issue_api_key
    from doorstep.access.visit_links import issue_visit_link
    from doorstep.scheduling import services
    from doorstep.scheduling.models import BookingStatus
    from tests.factories import BookingFactory

    technicians: list[int] = []
    codes: list[str] = []
    with transaction.atomic():
        for _ in range(BOOKINGS):
            booking = BookingFactory()
            services.set_status(booking=booking, status=BookingStatus.TRAVELING)
            technicians.append(booking.resource_id)
            codes.extend(issue_visit_link(booking=booking) for _ in range(VIEWERS_PER_BOOKING))
        _, key = issue_api_key(name="Tracking benchmark")
    connection.close()  # the server has the database to itself from here
    return Fixture(key=key, technicians=technicians, codes=codes)


def _forget_routings() -> None:
    """Every technician routed afresh at their first ping, as after a server restart."""
    from django.db import connection

    from doorstep.tracking.models import BookingEta

    BookingEta.objects.update(last_routed_at=None)
    connection.close()


def _pct(ordered: list[float], percent: int) -> float:
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[percent - 1]
