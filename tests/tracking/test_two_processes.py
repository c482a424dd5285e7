"""Beyond one process: two real servers sharing Redis, as in production at scale.

Two `doorstep serve` processes share one SQLite file and one Redis database: the
channel layer (channels-redis) carries a booking's group between them, and the cache
holds the rate limits of both. A ping posted to one reaches viewers on the other, also
viewers that heard nothing for longer than a Redis read may wait, and wrong visit codes
count against one allowance whichever process they are tried on. Nothing here uses the
pytest database: the servers have their own data folder; they are started once for the
module.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from doorstep.core.rate_limits import VISIT_CODE_LIMIT, VISIT_CODE_WINDOW_SECONDS
from tests.project.test_command_line import DOORSTEP, clean_env, free_port, run_doorstep

pytestmark = pytest.mark.redis

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed at the start
SECRET_KEY = "two-processes-test-k3y!vQ2#pL9@kM4$wN8%rT1^yB6&cZ3*hJ5(dF0)gS2"
REPOSITORY = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
DELIVERY_TIMEOUT = 10.0
PING = {"latitude": 39.7012, "longitude": -104.9534}
# Longer than a Redis read used to wait (5 s) for the blocking receive that the channel
# layer keeps open while nothing happens.
IDLE_SECONDS = 8.0
IDLE_VIEWERS = 5

SETUP_SCRIPT = """
import json
from doorstep.access.api_keys import issue_api_key
from doorstep.access.visit_links import issue_visit_link
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from tests.factories import BookingFactory

booking = BookingFactory()
services.set_status(booking=booking, status=BookingStatus.TRAVELING)
_, key = issue_api_key(name="Two processes test")
print(json.dumps({
    "key": key,
    "technician_id": booking.resource_id,
    "booking_id": booking.pk,
    "code": issue_visit_link(booking=booking),
}))
"""


def fresh_redis_or_skip() -> None:
    """Empty the test's Redis database; skip when Redis does not answer (fail on CI)."""
    try:
        with redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2) as r:
            r.flushdb()
    except redis.RedisError as error:
        message = f"Redis does not answer at {REDIS_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run the Redis tests)")
        pytest.skip(message)


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """A `doorstep serve` process on a free port, answering /healthz; its base URL."""
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [DOORSTEP, "serve", "--port", str(port), "--no-worker", "--no-scheduler"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"doorstep serve did not start on port {port}:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def post_json(url: str, body: dict[str, Any], *, key: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (local test server)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read())


@dataclass
class Servers:
    a: str  # base URLs
    b: str
    data: dict[str, Any]  # what SETUP_SCRIPT made
    logs: list[Path]

    def ws(self, base: str, path: str) -> ClientConnection:
        return connect(
            f"{base.replace('http://', 'ws://')}{path}", origin=Origin(base), open_timeout=10
        )

    def log_text(self) -> str:
        return "".join(f"\n{log.name}: {log.read_text()}" for log in self.logs)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    fresh_redis_or_skip()
    tmp_path = tmp_path_factory.mktemp("two-processes")
    env = clean_env(
        tmp_path / "data",
        DOORSTEP_HTTPS="false",
        REDIS_URL=REDIS_URL,
        SECRET_KEY=SECRET_KEY,
        DOORSTEP_ROUTING_PROVIDER="offline",
        # The setup script builds its data with the test suite's factories.
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])),
    )
    run_doorstep("migrate", "--noinput", env=env)
    setup = run_doorstep("shell", "-c", SETUP_SCRIPT, env=env)
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with ExitStack() as stack:
        base_a = stack.enter_context(serving(env, logs[0]))
        base_b = stack.enter_context(serving(env, logs[1]))
        yield Servers(a=base_a, b=base_b, data=data, logs=logs)


def post_ping(servers: Servers, base: str) -> None:
    recorded_at = datetime.now(UTC).isoformat()
    status, answer = post_json(
        f"{base}/api/v1/locations",
        {
            "technician_id": servers.data["technician_id"],
            "pings": [{**PING, "recorded_at": recorded_at}],
        },
        key=servers.data["key"],
    )
    assert (status, answer["accepted"]) == (200, 1), answer


def first_state(viewer: ClientConnection) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(viewer.recv(timeout=10))
    assert state["type"] == "visit.update"
    assert state["status"] == "traveling", state
    return state


def next_position(viewer: ClientConnection, servers: Servers) -> dict[str, Any]:
    """The first update with a position this viewer receives (fails after a while)."""
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(
                f"no update with the ping reached the viewer within {DELIVERY_TIMEOUT}s; "
                f"received {received}{servers.log_text()}"
            )
        try:
            message: dict[str, Any] = json.loads(viewer.recv(timeout=remaining))
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            pytest.fail(f"the viewer was dropped ({closed}){servers.log_text()}")
        received.append(message)
        if message.get("type") == "visit.update" and message.get("latitude") is not None:
            return message


def test_a_ping_posted_to_one_process_reaches_a_viewer_of_another(servers: Servers) -> None:
    with servers.ws(servers.b, f"/ws/visits/{servers.data['code']}/") as viewer:
        assert first_state(viewer)["latitude"] is None  # no position since the visit set off

        post_ping(servers, servers.a)
        message = next_position(viewer, servers)

    assert message["latitude"] == pytest.approx(PING["latitude"], abs=1e-6)
    assert message["longitude"] == pytest.approx(PING["longitude"], abs=1e-6)
    assert message["status"] == "traveling"
    assert message["eta"] is not None


def test_viewers_that_heard_nothing_for_a_while_still_get_the_next_update(
    servers: Servers,
) -> None:
    path = f"/ws/visits/{servers.data['code']}/"
    with ExitStack() as stack:
        viewers = [
            stack.enter_context(servers.ws(base, path))
            for base in [servers.a, servers.b] * IDLE_VIEWERS
        ]
        for viewer in viewers:
            first_state(viewer)

        time.sleep(IDLE_SECONDS)  # nothing happens on the visit
        post_ping(servers, servers.a)

        for viewer in viewers:
            assert next_position(viewer, servers)["status"] == "traveling"
    assert "Traceback" not in servers.log_text()


def test_wrong_codes_count_against_one_allowance_across_processes(servers: Servers) -> None:
    def answer(base: str, code: str) -> str:
        with servers.ws(base, f"/ws/visits/{code}/") as viewer:
            try:
                first_state(viewer)
            except ConnectionClosed as closed:
                return f"closed {closed.rcvd.code if closed.rcvd else None}"
            return "streaming"

    code = servers.data["code"]
    assert answer(servers.b, code) == "streaming"
    # The allowance is counted in windows of the wall clock: begin early in one, so the
    # guesses below all fall in the same window however slow the machine.
    into_window = time.time() % VISIT_CODE_WINDOW_SECONDS
    if into_window > VISIT_CODE_WINDOW_SECONDS / 3:
        time.sleep(VISIT_CODE_WINDOW_SECONDS - into_window + 0.1)
    for attempt in range(VISIT_CODE_LIMIT):  # half on each process
        assert answer([servers.a, servers.b][attempt % 2], f"guess-{attempt}") == "closed 4404"

    assert answer(servers.a, code) == answer(servers.b, code) == "closed 4404"
