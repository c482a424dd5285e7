from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import factory.random
import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from hypothesis import settings as hypothesis_settings

from doorstep.configuration import caching
from doorstep.users.models import User
from tests.factories import StaffUserFactory

# Property tests explore the same examples on every run, so CI is never red by chance;
# a failure found once is found again, on any machine.
hypothesis_settings.register_profile("doorstep", derandomize=True, deadline=None, database=None)
hypothesis_settings.load_profile("doorstep")


class OneRequestAtATime(WSGIServer):
    """The live server answering one request after another, in its own thread."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override or {}

    def get_request(self) -> tuple[socket.socket, Any]:
        # A connection the browser opened ahead and sends nothing on would hold the one
        # thread, and every other request with it, for ever: it gets 10 s to speak.
        connection, address = super().get_request()
        connection.settimeout(10)
        return connection, address


@pytest.fixture(scope="session", autouse=True)
def live_server_shares_sqlite_safely() -> Iterator[None]:
    # With in-memory SQLite, every thread of the live server uses the test's one
    # connection: two requests at once (a page and its stylesheet, each reading the
    # session) break it ("bad parameter or other API misuse", a 500 now and then). On
    # SQLite the live server answers them in turn; on PostgreSQL it stays threaded.
    if connection.vendor != "sqlite":
        yield
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = OneRequestAtATime
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture(autouse=True)
def same_fake_data_every_run(request: pytest.FixtureRequest) -> None:
    # Factories draw names from Faker: seed it per test, so a test sees the same names on
    # every run and a clash (a random surname equal to a searched name) cannot come and go.
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def portal_settings_read_afresh() -> None:
    # The portal settings are cached across requests, and a test's database starts empty
    # again: what an earlier test (or run) left in the cache must not be taken for its own.
    caching.forget()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests marked postgres run only when the suite runs against PostgreSQL.
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def staff_user(db: None) -> User:
    return StaffUserFactory(email="office@example.test")


@pytest.fixture
def staff_client(client, staff_user: User):  # type: ignore[no-untyped-def]
    client.force_login(staff_user)
    return client
