from __future__ import annotations

from collections.abc import Iterator

import factory.random
import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from doorstep.configuration import caching
from doorstep.users.models import User
from tests.factories import StaffUserFactory

# Property tests explore the same examples on every run, so CI is never red by chance;
# a failure found once is found again, on any machine.
hypothesis_settings.register_profile("doorstep", derandomize=True, deadline=None, database=None)
hypothesis_settings.load_profile("doorstep")


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


@pytest.fixture(autouse=True)
def each_test_starts_in_the_default_language() -> Iterator[None]:
    # A request through the test client leaves its language active on the thread (the
    # locale middleware does not put the earlier one back), so a test after an Arabic page
    # would read its form errors in Arabic.
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
