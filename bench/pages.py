"""Pages: requests per second of the hot pages, beside a Django hello-world on the same server.

One `doorstep serve --no-worker --no-scheduler` process (this run's SQLite data folder,
local-memory cache, offline routing) serves everything; this process plays the visitors
with asyncio, over PAGES_CONNECTIONS keep-alive HTTP/1.1 connections:

- `/healthz`, the hello-world: a Django view that answers "ok" through the whole
  middleware stack, the same uvicorn + a2wsgi threads, without a session cookie;
- `/`, `/book/` and `/book/times/?…` (the first day with free times) for the demo
  company's customer, signed in: eight visits, one on the way, one under way, two to
  come, the rest done or canceled;
- `/t/<code>/`, the customer's next visit opened from its visit link, without signing in;
- `/tech/` for the demo technician, signed in: the day's visits with their notes.

Each visitor sends back the cookies the page set when it was first asked for, as a
browser does: the CSRF cookie, above all, which a page would otherwise make afresh (with
64 calls for random bytes) on every request.

The data is the demo company (`doorstep demo`, 500 visits), so that the pages read the
rows and indexes of a company in use.

Each page is measured for PAGES_SECONDS (default 2) after a short warm-up, in
PAGES_ROUNDS rounds (default 5) that take the pages in turn, the hello-world first; the
median round is printed with every round's figure. Two figures per page: requests per
second, and the server's CPU time per request (from /proc). Each is also given as a share
of the hello-world's. Other processes on the machine move the first from round to round,
and the second much less, so the targets are judged on CPU time: on an idle machine,
where the server process has a core to itself, the two shares agree. A shared machine
also runs faster or slower for tens of seconds at a time, so each round's page is held
against the same round's hello-world, and the CPU share printed is the median of those
paired shares (with the lowest round's beside it). Run it two or three times and look at
the spread.

The visit link page allows 60 requests a minute per client address, so the server runs
as if behind a proxy (DOORSTEP_BEHIND_PROXY) and every request says it comes from an
address of its own in X-Forwarded-For; every URL is sent through the same proxy path.

Targets (issue 9): `/` and `/book/` ≥ 15 % of the hello-world, `/t/<code>/` ≥ 30 %.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import statistics
import time
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from bench.serving import REQUEST_TIMEOUT, Server

SECONDS = float(os.environ.get("PAGES_SECONDS", "2"))
ROUNDS = int(os.environ.get("PAGES_ROUNDS", "5"))
CONNECTIONS = int(os.environ.get("PAGES_CONNECTIONS", "8"))
WARM_UP_SECONDS = 0.5
# For trying the server's own settings, e.g. PAGES_ENV="DOORSTEP_HTTP_THREADS=2".
EXTRA_ENV = dict(pair.split("=", 1) for pair in os.environ.get("PAGES_ENV", "").split() if pair)
TARGETS = {"/": 15, "/book/": 15, "/t/<code>/": 30}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    cookie: str = ""
    must_contain: str = ""  # a sign that the page is the real one, not a sign-in redirect


@dataclass
class Tally:
    answers: int = 0
    wrong: list[str] = field(default_factory=list)


def run() -> None:
    started = time.perf_counter()
    pages = _load_rows()
    print(f"data: the demo company ({time.perf_counter() - started:.1f} s to load)")
    with Server({"DOORSTEP_BEHIND_PROXY": "true", **EXTRA_ENV}) as server:
        figures = asyncio.run(_measure(server, pages))
    hello = figures[pages[0].name]
    hello_rate = statistics.median(hello.rates)
    print(
        f"{'page':<14}{'req/s':>7}{'share':>8}{'CPU ms':>9}{'share':>8}{'lowest':>8}"
        "   rounds (req/s; CPU ms)"
    )
    for page in pages:
        found = figures[page.name]
        rate, cpu = statistics.median(found.rates), statistics.median(found.cpu_ms)
        paired = [100 * h / c for h, c in zip(hello.cpu_ms, found.cpu_ms, strict=True)]
        share = statistics.median(paired)
        target = TARGETS.get(page.name)
        verdict = (
            ""
            if target is None
            else f"  target {target} %: {'met' if share >= target else 'NOT met'}"
        )
        rounds = ", ".join(f"{r:.0f}" for r in found.rates)
        cpus = ", ".join(f"{c:.2f}" for c in found.cpu_ms)
        print(
            f"{page.name:<14}{rate:>7.0f}{100 * rate / hello_rate:>7.1f}%{cpu:>9.2f}"
            f"{share:>7.1f}%{min(paired):>7.1f}%   {rounds}; {cpus}{verdict}"
        )


@dataclass
class Figures:
    rates: list[float] = field(default_factory=list)  # requests per second
    cpu_ms: list[float] = field(default_factory=list)  # server CPU time per request


async def _measure(server: Server, pages: list[Page]) -> dict[str, Figures]:
    addresses = itertools.count(1)
    for number, page in enumerate(pages):  # every page answers as it should before any timing
        answer, cookies = await _get_once(server.port, page, next(addresses))
        if page.must_contain and page.must_contain not in answer:
            raise RuntimeError(f"{page.name} does not show what it should:\n{answer[:2000]}")
        # Then each visitor sends back the cookies it was given, as a browser does (the
        # CSRF cookie: without it, every page would make and set a new one).
        if cookies:
            sent = "; ".join(filter(None, [page.cookie, *cookies]))
            pages[number] = dataclasses.replace(page, cookie=sent)
    figures = {page.name: Figures() for page in pages}
    for _ in range(ROUNDS):
        for page in pages:
            await _load(server.port, page, addresses, WARM_UP_SECONDS)
            cpu_before = server.cpu_seconds()
            tally, seconds = await _load(server.port, page, addresses, SECONDS)
            cpu = server.cpu_seconds() - cpu_before
            if tally.wrong:
                raise RuntimeError(
                    f"{page.name}: {len(tally.wrong)} wrong answers: {tally.wrong[:3]}"
                )
            figures[page.name].rates.append(tally.answers / seconds)
            figures[page.name].cpu_ms.append(1000 * cpu / tally.answers)
    return figures


async def _load(
    port: int, page: Page, addresses: itertools.count[int], seconds: float
) -> tuple[Tally, float]:
    tally = Tally()
    began = time.perf_counter()
    deadline = began + seconds

    async def visitor() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                status, _ = await asyncio.wait_for(
                    _exchange(reader, writer, port, page, next(addresses)), REQUEST_TIMEOUT
                )
                if status == 200:
                    tally.answers += 1
                else:
                    tally.wrong.append(str(status))
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    await asyncio.gather(*(visitor() for _ in range(CONNECTIONS)))
    return tally, time.perf_counter() - began


async def _get_once(port: int, page: Page, address: int) -> tuple[str, list[str]]:
    """The page's HTML, and the cookies it set (as `name=value`)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    cookies: list[str] = []
    try:
        status, body = await _exchange(reader, writer, port, page, address, cookies)
    finally:
        writer.close()
    if status != 200:
        raise RuntimeError(f"{page.name} answered {status}")
    return body.decode(), cookies


async def _exchange(  # noqa: PLR0917 (one exchange's parts)
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    port: int,
    page: Page,
    address: int,
    cookies: list[str] | None = None,
) -> tuple[int, bytes]:
    """One GET on a keep-alive connection: the status and the body (and the cookies set,
    into `cookies` when given)."""
    client = f"10.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"
    cookie = f"Cookie: {page.cookie}\r\n" if page.cookie else ""
    writer.write(
        (
            f"GET {page.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"X-Forwarded-For: {client}\r\nAccept-Language: en\r\n{cookie}\r\n"
        ).encode()
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length, chunked = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "set-cookie" and cookies is not None:
            cookies.append(value.strip().split(";", 1)[0])
    if not chunked:
        return status, await reader.readexactly(length)
    body = b""
    while size := int((await reader.readline()).strip(), 16):
        body += await reader.readexactly(size)
        await reader.readline()
    await reader.readline()
    return status, body


# --- The data -----------------------------------------------------------------------------


def _load_rows() -> list[Page]:
    """The demo company (`doorstep demo`), its customer's and technician's sign-ins, and
    a visit link to one of the customer's upcoming visits."""
    import io

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from doorstep.access.visit_links import issue_visit_link
    from doorstep.catalog.models import IncidentType
    from doorstep.project.demo import data, load_demo
    from doorstep.scheduling.models import Booking, BookingStatus
    from doorstep.users.models import User

    load_demo(stdout=io.StringIO())
    customer_user = User.objects.get(email=data.CUSTOMER_EMAIL)
    account_id = customer_user.contact.account_id
    upcoming = Booking.objects.filter(
        work_order__account_id=account_id, status=BookingStatus.SCHEDULED
    ).earliest("start")
    code = issue_visit_link(booking=upcoming)
    cookie_name = settings.SESSION_COOKIE_NAME
    sessions = []
    for email in (data.CUSTOMER_EMAIL, data.TECHNICIAN_EMAIL):
        browser = Client()
        browser.force_login(User.objects.get(email=email))
        sessions.append(f"{cookie_name}={browser.cookies[cookie_name].value}")
    customer, technician = sessions

    # The first service type and day that have free times, as a customer would pick them.
    service = IncidentType.objects.bookable_in_portal().order_by("display_name").first()
    assert service is not None, "the demo company has no service type booked in the portal"
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(customer_user)
    today = timezone.localdate(timezone=ZoneInfo(customer_user.contact.account.time_zone))
    for ahead in range(1, 15):
        times = f"/book/times/?service_type={service.pk}&day={today + timedelta(days=ahead)}"
        if 'name="start"' in browser.get(times).content.decode():
            break
    else:
        raise RuntimeError("the demo company has no free time in the next two weeks")
    connection.close()  # the server has the database to itself from here

    return [
        Page("hello-world", "/healthz", must_contain="ok"),
        Page("/", "/", customer, must_contain="Technician on the way"),
        Page("/book/", "/book/", customer, must_contain=service.display_name),
        Page("/book/times/", times, customer, must_contain='name="start"'),
        Page("/t/<code>/", f"/t/{code}/", must_contain="Your upcoming visit"),
        Page("/tech/", "/tech/", technician, must_contain="Hello "),
    ]
