"""Moving the reminder time from UTC to the company's time zone keeps its meaning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from tests.factories import AccountFactory

BEFORE = [("configuration", "0003_notify_turned_back")]
AFTER = [("configuration", "0004_company_time_zone")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture(autouse=True)
def back_to_the_latest_schema() -> Iterator[None]:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield
    migrate(latest)


def settings_before(reminder_time: time) -> None:
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    old.get_model("configuration", "PortalSettings").objects.create(
        pk=1, reminder_time=reminder_time
    )


def settings_after() -> Any:
    # Read with the model as it was then: later migrations add columns it did not have.
    new = migrate(AFTER).loader.project_state(AFTER).apps
    return new.get_model("configuration", "PortalSettings").objects.get()


def same_moment_today(utc_time: time, zone: str) -> time:
    today = datetime.now(UTC).date()
    return datetime.combine(today, utc_time, UTC).astimezone(ZoneInfo(zone)).time()


@pytest.mark.django_db(transaction=True)
def test_a_utc_reminder_time_becomes_the_same_moment_in_the_accounts_zone() -> None:
    AccountFactory.create_batch(2, time_zone="America/Denver")
    AccountFactory(time_zone="Europe/Paris")
    settings_before(time(10, 0))

    portal = settings_after()
    assert portal.time_zone == "America/Denver"
    assert portal.reminder_time == same_moment_today(time(10, 0), "America/Denver")
    # In Denver that is 03:00 in winter, 04:00 in summer: never the 10:00 it said before.
    assert portal.reminder_time in (time(3, 0), time(4, 0))


@pytest.mark.django_db(transaction=True)
@override_settings(DOORSTEP_DEFAULT_TIME_ZONE="Asia/Kolkata")
def test_without_accounts_the_default_zone_is_the_companys() -> None:
    settings_before(time(18, 0))

    portal = settings_after()
    assert (portal.time_zone, portal.reminder_time) == ("Asia/Kolkata", time(23, 30))


@pytest.mark.django_db(transaction=True)
def test_going_back_restores_the_utc_time() -> None:
    AccountFactory(time_zone="America/Denver")
    settings_before(time(10, 0))
    migrate(AFTER)

    old = migrate(BEFORE).loader.project_state(BEFORE).apps

    row = old.get_model("configuration", "PortalSettings").objects.get()
    assert row.reminder_time == time(10, 0)
