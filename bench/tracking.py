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

With Redis answering at REDIS_URL_BENCH the three are measured again with channels-redis.

Targets (issue 5): p99 ≤ 250 ms, ≥ 1,000 pings/s ingest, ≤ 128 KiB per idle viewer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BOOKINGS = 200
VIEWERS_PER_BOOKING = 5
PINGS_PER_SECOND = 200
SECONDS = float(os.environ.get("BENCH_TRACKING_SECONDS", "60"))
INGEST_SECONDS = float(os.environ.get("BENCH_TRACKING_INGEST_SECONDS", "10"))
INGEST_IN_FLIGHT = 32
SEND_CONNECTIONS = 64  # keep-alive connections the 200 pings/s are posted over
CONNECTING_AT_ONCE = 50
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 60.0
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


def run() -> None:
    _raise_open_files_limit()
    started = time.perf_counter()
    fixture = _load_rows()
    print(
        f"data: {BOOKINGS} technicians with a Traveling visit each, "
        f"{len(fixture.codes)} visit codes ({time.perf_counter() - started:.1f} s to load)"
    )
    variants: list[tuple[str, dict[str, str]]] = [("in-memory channel layer", {})]
    if _redis_answers():
        variants.append(("Redis channel layer", {"REDIS_URL": REDIS_URL_BENCH}))
    else:
        print(f"(Redis does not answer at {REDIS_URL_BENCH}: the Redis variant is skipped)")
    for name, extra in variants:
        print(f"-- {name}")
        with _Server(extra) as server:
            asyncio.run(_measure(server, fixture))


# --- The server ------------------------------------------------------------------------


class _Server:
    def __init__(self, extra_env: dict[str, str]) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_")}
        self.env.update({"DOORSTEP_ROUTING_PROVIDER": "offline", **extra_env})
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(os.environ["DOORSTEP_DATA_DIR"]) / f"serve-{self.port}.log"

    def __enter__(self) -> _Server:
        doorstep = str(Path(sys.executable).with_name("doorstep"))
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 (our own command)
                [doorstep, "serve", "--port", str(self.port), "--no-worker", "--no-scheduler"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:  # noqa: S310
                        if answer.status == 200:
                            return self
                except OSError:
                    pass
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"doorstep serve did not start:\n{self.log.read_text()}")
                time.sleep(0.1)
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- The measurements ------------------------------------------------------------------


async def _measure(server: _Server, fixture: Fixture) -> None:
    from websockets.asyncio.client import ClientConnection

    figures = Figures()
    # Warm up: the first viewer and the first posts load code paths that every later
    # connection shares, which is not the cost of a connection.
    warm = await _open_viewer(server, fixture.codes[0])
    await warm.close()
    await _post_batch(server, fixture, count=len(fixture.technicians), first=10_000_000)
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


async def _until_quiet(server: _Server) -> None:
    """Wait (at most 60 s) until the server has worked off what the last phase left."""
    for _ in range(60):
        before = server.cpu_seconds()
        await asyncio.sleep(1.0)
        if server.cpu_seconds() - before < 0.1:
            return
    print("(the server was still busy after 60 s)")


async def _open_viewer(server: _Server, code: str) -> Any:
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
    async for raw in viewer:
        received = time.perf_counter()
        message = json.loads(raw)
        figures.viewer_messages += 1
        latitude = message.get("latitude")
        if latitude is None:
            continue
        sent = figures.sent_at.get(round(latitude * 1_000_000))
        if sent is not None:
            figures.latencies.append(received - sent)


async def _post_at_rate(server: _Server, fixture: Fixture, figures: Figures) -> None:
    total = int(SECONDS * PINGS_PER_SECOND)
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(SEND_CONNECTIONS):
        pool.put_nowait(_Connection(server.port))
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
        f"by {viewers} viewers"
    )
    if posts:
        print(
            f"POST answered: p50 {_pct(posts, 50) * 1000:.0f} ms, "
            f"p99 {_pct(posts, 99) * 1000:.0f} ms"
        )


async def _ingest(server: _Server, fixture: Fixture) -> None:
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    stop_at = time.perf_counter() + INGEST_SECONDS
    latencies: list[float] = []

    async def worker(number: int) -> None:
        # Each worker has technicians of its own: one technician's pings go one at a
        # time, in order, as one phone sends them.
        mine = fixture.technicians[number::INGEST_IN_FLIGHT]
        connection = _Connection(server.port)
        sent = 0
        try:
            while time.perf_counter() < stop_at and sent < 1_000_000:
                body = _ping_body(mine[sent % len(mine)], BASE_LATITUDE + 5_000_000 + sent)
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


async def _post_batch(server: _Server, fixture: Fixture, *, count: int, first: int) -> None:
    connection = _Connection(server.port)
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


class _Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1, opened on first use."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, *, key: str) -> int:
        return await asyncio.wait_for(self._post(body, key), timeout=REQUEST_TIMEOUT)

    async def _post(self, body: bytes, key: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"POST /api/v1/locations HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "connection" and "close" in value.lower():
                close = True
        await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(self.writer.wait_closed(), timeout=2)
        self.reader = self.writer = None


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


def _redis_answers() -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        with redis.Redis.from_url(REDIS_URL_BENCH, socket_timeout=2, socket_connect_timeout=2) as r:
            r.flushdb()
    except redis.RedisError:
        return False
    return True


def _raise_open_files_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * BOOKINGS * VIEWERS_PER_BOOKING
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def _pct(ordered: list[float], percent: int) -> float:
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[percent - 1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
