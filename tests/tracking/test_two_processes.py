"""Beyond one process: with Redis, a ping posted to one server reaches a viewer on another.

Two real `doorstep serve` processes share one SQLite file and one Redis database; the
channel layer (channels-redis) carries the booking's group between them. Nothing here
uses the pytest database: the servers have their own data folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.project.test_command_line import DOORSTEP, clean_env, free_port, run_doorstep

pytestmark = pytest.mark.redis

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed at the start
SECRET_KEY = "two-processes-test-k3y!vQ2#pL9@kM4$wN8%rT1^yB6&cZ3*hJ5(dF0)gS2"
REPOSITORY = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
DELIVERY_TIMEOUT = 10.0
PING = {"latitude": 39.7012, "longitude": -104.9534}

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


def test_a_ping_posted_to_one_process_reaches_a_viewer_of_another(tmp_path: Path) -> None:
    fresh_redis_or_skip()
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

    with ExitStack() as stack:
        base_a = stack.enter_context(serving(env, tmp_path / "a.log"))
        base_b = stack.enter_context(serving(env, tmp_path / "b.log"))
        ws_b = base_b.replace("http://", "ws://")

        with connect(
            f"{ws_b}/ws/visits/{data['code']}/", origin=Origin(base_b), open_timeout=10
        ) as viewer:
            state = json.loads(viewer.recv(timeout=10))
            assert state["type"] == "visit.update"
            assert state["status"] == "traveling", state
            assert state["latitude"] is None  # no position since the visit set off

            recorded_at = datetime.now(UTC).isoformat()
            status, answer = post_json(
                f"{base_a}/api/v1/locations",
                {
                    "technician_id": data["technician_id"],
                    "pings": [{**PING, "recorded_at": recorded_at}],
                },
                key=data["key"],
            )
            assert (status, answer["accepted"]) == (200, 1), answer

            received: list[dict[str, Any]] = []
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(
                        f"no update with the ping reached process B within {DELIVERY_TIMEOUT}s; "
                        f"received {received}\nA: {(tmp_path / 'a.log').read_text()}"
                        f"\nB: {(tmp_path / 'b.log').read_text()}"
                    )
                try:
                    message = json.loads(viewer.recv(timeout=remaining))
                except TimeoutError:
                    continue
                received.append(message)
                if message.get("type") == "visit.update" and message.get("latitude") is not None:
                    break

    assert message["latitude"] == pytest.approx(PING["latitude"], abs=1e-6)
    assert message["longitude"] == pytest.approx(PING["longitude"], abs=1e-6)
    assert message["status"] == "traveling"
    assert message["eta"] is not None
