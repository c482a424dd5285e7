"""A list costs the same number of queries whatever its page size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.rest.conftest import ApiClient, a_visit_with_its_records, bookable_world
from tests.api.rest.test_keys import RESOURCES
from tests.factories import (
    AssetFactory,
    ContactFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db


def queries(api: ApiClient, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.call("GET", path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("resource", RESOURCES)
def test_queries_do_not_grow_with_the_page(api: ApiClient, resource: str) -> None:
    for _ in range(12):
        contact = ContactFactory()
        AssetFactory(account=contact.account)
        IncidentTypeSkillFactory()
        technician = ResourceSkillFactory().resource
        WorkingHoursFactory(resource=technician)
        TimeOffFactory(resource=technician)
        a_visit_with_its_records()
    api.call("GET", f"/api/v1/{resource}")  # the key's first use is noted once
    small = queries(api, f"/api/v1/{resource}?page_size=2")
    large = queries(api, f"/api/v1/{resource}?page_size=12")
    assert small == large


def test_slots_cost_the_same_queries_for_one_technician_or_many(api: ApiClient) -> None:
    world = bookable_world(technicians=1)
    day = (timezone.now() + timedelta(days=2)).date().isoformat()
    path = (
        f"/api/v1/slots?service_type={world['service'].pk}"
        f"&account={world['contact'].account.pk}&from={day}&to={day}"
    )
    api.call("GET", path)  # the key's first use is noted once
    one = queries(api, path)
    skill = world["service"].skill_requirements.get().skill
    for technician in ResourceFactory.create_batch(5):
        ResourceSkillFactory(resource=technician, skill=skill, proficiency=3)
        WorkingHoursFactory(resource=technician, weekday=0)
        TimeOffFactory(resource=technician)
    assert queries(api, path) == one
