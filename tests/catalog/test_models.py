from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from doorstep.catalog.models import IncidentType
from tests.factories import IncidentTypeFactory, IncidentTypeSkillFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("minutes", "message"), [(4, "at least 5"), (1441, "more than a day")])
def test_duration_must_fit_in_one_visit(minutes: int, message: str) -> None:
    service_type = IncidentTypeFactory.build(estimated_duration_minutes=minutes)

    with pytest.raises(ValidationError, match=message):
        service_type.full_clean()
    with pytest.raises(IntegrityError):
        service_type.save()


def test_required_skill_level_goes_from_one_to_five() -> None:
    requirement = IncidentTypeSkillFactory.build(
        incident_type=IncidentTypeFactory(), skill=SkillFactory(), minimum_proficiency=6
    )

    with pytest.raises(ValidationError, match="1 \\(beginner\\) to 5"):
        requirement.full_clean()


def test_only_enabled_service_types_are_bookable_in_the_portal() -> None:
    offered = IncidentTypeFactory(portal_enabled=True)
    IncidentTypeFactory(portal_enabled=False)

    assert list(IncidentType.objects.bookable_in_portal()) == [offered]
