from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from doorstep.tracking.models import LatestPosition, LocationPing, PingSource
from doorstep.tracking.services import PingIn, purge_old_pings, record_pings
from doorstep.tracking.tasks import purge_old_pings as purge_task
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _ping_received(technician, days_ago: float) -> None:  # type: ignore[no-untyped-def]
    moment = timezone.now() - timedelta(days=days_ago)
    record_pings(
        resource=technician,
        pings=[PingIn(latitude=39.7, longitude=-104.9, recorded_at=moment)],
        source=PingSource.APP,
        now=moment,
    )


def test_purge_deletes_pings_older_than_the_retention_and_keeps_the_rest(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_PING_RETENTION_DAYS = 30
    technician = ResourceFactory()
    _ping_received(technician, 31)
    _ping_received(technician, 29)
    _ping_received(technician, 0)
    assert purge_old_pings() == 1
    assert LocationPing.objects.count() == 2


def test_purge_follows_the_retention_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_PING_RETENTION_DAYS = 7
    technician = ResourceFactory()
    _ping_received(technician, 8)
    _ping_received(technician, 6)
    assert purge_old_pings() == 1


def test_purge_keeps_the_latest_position(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_PING_RETENTION_DAYS = 30
    technician = ResourceFactory()
    _ping_received(technician, 40)
    purge_old_pings()
    assert not LocationPing.objects.exists()
    assert LatestPosition.objects.filter(resource=technician).exists()


def test_purge_task_runs_the_purge(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_PING_RETENTION_DAYS = 30
    _ping_received(ResourceFactory(), 31)
    assert purge_task.call() == 1
    assert not LocationPing.objects.exists()
