from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.factories import (
    ResourceFactory,
    ResourceSkillFactory,
    SkillFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("proficiency", [0, 6])
def test_proficiency_goes_from_one_to_five(proficiency: int) -> None:
    level = ResourceSkillFactory.build(
        resource=ResourceFactory(), skill=SkillFactory(), proficiency=proficiency
    )

    with pytest.raises(ValidationError, match="1 \\(beginner\\) to 5 \\(expert\\)"):
        level.full_clean()
    with pytest.raises(IntegrityError):
        level.save()


def test_a_skill_is_listed_once_per_technician() -> None:
    level = ResourceSkillFactory()

    with pytest.raises(ValidationError, match="already has this skill"):
        ResourceSkillFactory.build(resource=level.resource, skill=level.skill).full_clean()


def test_skill_names_are_unique_ignoring_case() -> None:
    SkillFactory(name="Gas safety")

    with pytest.raises(ValidationError, match="already exists"):
        SkillFactory.build(name="GAS SAFETY").full_clean()


def test_working_hours_must_end_after_they_start() -> None:
    hours = WorkingHoursFactory.build(
        resource=ResourceFactory(), start_time=time(17), end_time=time(8)
    )

    with pytest.raises(ValidationError, match="end must be after the start"):
        hours.full_clean()
    with pytest.raises(IntegrityError):
        hours.save()


def test_time_off_must_end_after_it_starts() -> None:
    time_off = TimeOffFactory.build(resource=ResourceFactory())
    time_off.end = time_off.start - timedelta(hours=1)

    with pytest.raises(ValidationError, match="must end after it starts"):
        time_off.full_clean()
    with pytest.raises(IntegrityError):
        time_off.save()


def test_technician_home_base_must_be_on_earth() -> None:
    with pytest.raises(ValidationError) as raised:
        ResourceFactory.build(home_latitude=95).full_clean()

    assert "home_latitude" in raised.value.message_dict
