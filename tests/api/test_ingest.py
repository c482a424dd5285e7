"""Ingest jobs processed in batches: one query per kind of thing, whatever the batch size."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from doorstep.api import answers as answering
from doorstep.api import ingest
from doorstep.tracking import ingest as recording
from doorstep.tracking.models import LocationPing
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def process(jobs: list[recording.Job]) -> list[answering.Answer]:
    """The jobs recorded as one batch, and each one's answer."""
    return [
        answering.answer(job, outcome)
        for job, outcome in zip(jobs, recording.process(jobs), strict=True)
    ]


def job_of(technician_id: int, key: str, seconds_ago: int = 5) -> recording.Job:
    recorded_at = (timezone.now() - timedelta(seconds=seconds_ago)).isoformat()
    body = {
        "technician_id": technician_id,
        "pings": [{"latitude": 39.74, "longitude": -104.99, "recorded_at": recorded_at}],
    }
    return ingest.read_locations(json.dumps(body).encode(), key=key)


@pytest.mark.parametrize("count", [1, 50])
def test_a_batch_of_jobs_costs_the_same_queries_as_one(
    count: int, api_key: str, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    technicians = ResourceFactory.create_batch(count)
    process([job_of(t.pk, api_key, 10) for t in technicians])
    with django_assert_max_num_queries(12):
        answers = process([job_of(t.pk, api_key) for t in technicians])
    assert {answer.status for answer in answers} == {200}
    assert LocationPing.objects.count() == 2 * count


def test_each_job_of_a_batch_gets_its_own_answer(api_key: str) -> None:
    technician = ResourceFactory()
    answers = process(
        [
            job_of(technician.pk, api_key),
            job_of(technician.pk, "ds_not-a-key"),
            job_of(technician.pk + 1000, api_key),
            ingest.read_locations(b"{not json", key=api_key),
            ingest.read_locations(b"{not json", key="ds_not-a-key"),
            job_of(technician.pk, api_key, seconds_ago=1),
        ]
    )
    assert [answer.status for answer in answers] == [200, 401, 404, 400, 401, 200]
    assert answers[1].body == {"error": answering.INVALID_KEY}
    assert "No technician has the number" in answers[2].body["error"]
    assert LocationPing.objects.filter(resource=technician).count() == 2
