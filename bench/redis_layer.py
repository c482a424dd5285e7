"""The Redis channel layer under a crowd: every update delivered, nothing left behind.

One `doorstep serve --no-worker --no-scheduler` process with REDIS_URL (a Redis database
of its own, emptied first) serves 1,000 viewers: 5 per Traveling visit, 200 visits, by
visit code. This process plays the viewers and the technicians.

1. Arriving: the viewers connect CONNECTING_AT_ONCE at a time, then at once every
   technician posts a ping → updates received of the 1,000 owed (each ping has a
   latitude of its own, so a viewer's message tells which ping it carries).
2. Quiet: nothing happens for QUIET_SECONDS (longer than the 5 s a Redis read used to
   wait), then every technician posts again → updates received of the 1,000 owed.
3. Leaving: every viewer closes at once → subscriptions left in the booking groups'
   sorted sets in Redis once the server is done (each would be sent every later update).

Also counted: viewers the server dropped, and tracebacks in the server's log.
Target: every update received, no viewer dropped, no subscription left, no traceback.
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BOOKINGS = 200
VIEWERS_PER_BOOKING = 5
CONNECTING_AT_ONCE = 50
QUIET_SECONDS = float(os.environ.get("BENCH_REDIS_QUIET_SECONDS", "12"))
POSTING_CONNECTIONS = 8
DELIVERY_SECONDS = 20.0  # how long the updates of one round may take to arrive
START_TIMEOUT = 60.0
REDIS_URL_BENCH = "redis://127.0.0.1:6379/12"
GROUP_KEYS = "doorstep:group:*"  # the settings' prefix, then channels-redis's own naming
BASE_LATITUDE = 39_000_000  # millionths of a degree
LONGITUDE = -104.95


@dataclass
class Viewer:
    booking: int  # index of its visit
    connection: Any
    latitudes: dict[int, float] = field(default_factory=dict)  # µ° → when received
    closed_by_server: bool = False


@dataclass
class Fixture:
    key: str
    technicians: list[int]
    codes: list[str]  # VIEWERS_PER_BOOKING per booking, in booking order


def run() -> None:
    if not _redis_answers():
        print(f"(Redis does not answer at {REDIS_URL_BENCH}: skipped)")
        return
    _raise_open_files_limit()
    fixture = _load_rows()
    with _Server() as server:
        asyncio.run(_measure(server, fixture))
        tracebacks = server.log.read_text().count("Traceback")
    print(f"server log: {tracebacks} tracebacks (target 0)")


async def _measure(server: _Server, fixture: Fixture) -> None:
    began = time.perf_counter()
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    viewers: list[Viewer] = []

    async def arrive(number: int, code: str) -> None:
        async with gate:
            connection = await _open(server, code)
            viewers.append(Viewer(booking=number // VIEWERS_PER_BOOKING, connection=connection))

    await asyncio.gather(*(arrive(n, code) for n, code in enumerate(fixture.codes)))
    print(
        f"viewers: {len(viewers)} connected in {time.perf_counter() - began:.1f} s, "
        f"{CONNECTING_AT_ONCE} at a time"
    )
    readers = [asyncio.create_task(_read(viewer)) for viewer in viewers]
    try:
        await _round("arriving: right after the last viewer connected", server, fixture, viewers, 0)
        await asyncio.sleep(QUIET_SECONDS)
        await _round(f"quiet: after {QUIET_SECONDS:.0f} s of silence", server, fixture, viewers, 1)
    finally:
        left_at = time.perf_counter()
        await asyncio.gather(
            *(v.connection.close() for v in viewers if not v.closed_by_server),
            return_exceptions=True,
        )
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    left, settled = _subscriptions_after_leaving()
    print(
        f"leaving: {len(viewers)} viewers closed at once → {left} subscriptions left in "
        f"Redis (target 0), settled {settled + time.perf_counter() - left_at:.1f} s after"
    )


async def _round(
    name: str, server: _Server, fixture: Fixture, viewers: list[Viewer], number: int
) -> None:
    # 0.001° (111 m) a round: each round's pings are told apart by latitude, and no
    # technician jumps faster than the ingest's 360 km/h check allows.
    first = BASE_LATITUDE + number * 1_000
    sent_at: dict[int, float] = {}
    latitudes = [first + n for n in range(len(fixture.technicians))]

    async def post_share(share: int) -> None:
        connection = _Connection(server.port)
        try:
            for n in range(share, len(latitudes), POSTING_CONNECTIONS):
                sent_at[latitudes[n]] = time.perf_counter()
                status = await connection.post(
                    _ping_body(fixture.technicians[n], latitudes[n]), key=fixture.key
                )
                if status != 200:
                    print(f"(a ping was answered {status})")
        finally:
            await connection.close()

    await asyncio.gather(*(post_share(share) for share in range(POSTING_CONNECTIONS)))
    owed = len(viewers)  # each viewer is owed the ping of its own visit
    deadline = time.monotonic() + DELIVERY_SECONDS
    while time.monotonic() < deadline:
        if sum(latitudes[v.booking] in v.latitudes for v in viewers) == owed:
            break
        await asyncio.sleep(0.1)
    delays = sorted(
        v.latitudes[latitudes[v.booking]] - sent_at[latitudes[v.booking]]
        for v in viewers
        if latitudes[v.booking] in v.latitudes
    )
    missed = [v for v in viewers if latitudes[v.booking] not in v.latitudes]
    dropped = sum(v.closed_by_server for v in viewers)
    print(
        f"{name}: {len(delays)} of {owed} updates received (target all)"
        + (
            f", ping → viewer p50 {statistics.median(delays) * 1000:.0f} ms, "
            f"max {delays[-1] * 1000:.0f} ms"
            if delays
            else ""
        )
        + f"; {dropped} viewers dropped by the server"
        + (f"; missed by viewers of {len({v.booking for v in missed})} visits" if missed else "")
    )


async def _open(server: _Server, code: str) -> Any:
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    url = f"ws://127.0.0.1:{server.port}/ws/visits/{code}/"
    connection = await connect(
        url, origin=Origin(server.base), open_timeout=30, ping_interval=None, close_timeout=5
    )
    state = json.loads(await asyncio.wait_for(connection.recv(), timeout=30))
    if state.get("status") != "traveling":
        raise RuntimeError(f"unexpected first message: {state}")
    return connection


async def _read(viewer: Viewer) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in viewer.connection:
            latitude = json.loads(raw).get("latitude")
            if latitude is not None:
                viewer.latitudes[round(latitude * 1_000_000)] = time.perf_counter()
    except ConnectionClosed:
        pass
    viewer.closed_by_server = True  # the loop ends when the server closes the socket


def _subscriptions_after_leaving() -> tuple[int, float]:
    """Members of every booking group in Redis once they stop changing; and when that was."""
    import redis

    began = time.perf_counter()
    with redis.Redis.from_url(REDIS_URL_BENCH) as connection:
        previous, steady_since = -1, time.monotonic()
        while True:
            members = sum(connection.zcard(key) for key in connection.scan_iter(GROUP_KEYS))
            if members != previous:
                previous, steady_since = members, time.monotonic()
            elif members == 0 or time.monotonic() - steady_since > 3:
                return members, time.perf_counter() - began
            time.sleep(0.2)


# --- The server ------------------------------------------------------------------------


class _Server:
    def __init__(self) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_")}
        self.env.update({"DOORSTEP_ROUTING_PROVIDER": "offline", "REDIS_URL": REDIS_URL_BENCH})
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
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"doorstep serve did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


class _Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1, opened on first use."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, *, key: str) -> int:
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
        _, key = issue_api_key(name="Redis layer benchmark")
    connection.close()  # the server has the database to itself from here
    return Fixture(key=key, technicians=technicians, codes=codes)


def _ping_body(technician: int, latitude_micro: int) -> bytes:
    ping = {
        "latitude": latitude_micro / 1_000_000,
        "longitude": LONGITUDE,
        "recorded_at": datetime.now(UTC).isoformat(),
    }
    return json.dumps({"technician_id": technician, "pings": [ping]}).encode()


def _redis_answers() -> bool:
    import redis

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
