from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from doorstep.workforce.models import (
    TRACKING_DEVICE_ID_ALPHABET,
    Resource,
    new_tracking_device_id,
)
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_two_technicians_cannot_share_a_tracking_device_id() -> None:
    ResourceFactory(tracking_device_id="82879256")
    other = ResourceFactory.build(tracking_device_id="82879256")
    with pytest.raises(ValidationError, match="already has this tracking device id"):
        other.full_clean()


def test_many_technicians_may_have_no_tracking_device_id() -> None:
    ResourceFactory(tracking_device_id="")
    ResourceFactory(tracking_device_id="").full_clean()


def test_technician_admin_shows_the_tracking_device_id(staff_client) -> None:  # type: ignore[no-untyped-def]
    technician = ResourceFactory()
    page = staff_client.get(f"/admin/workforce/resource/{technician.pk}/change/")
    assert b'name="tracking_device_id"' in page.content


def test_generated_tracking_device_ids_are_long_random_and_easy_to_type() -> None:
    ids = [new_tracking_device_id() for _ in range(2_000)]
    assert len(set(ids)) == len(ids)
    for device_id in ids[:50]:
        assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{5}(-[0-9a-hjkmnp-tv-z]{5}){3}", device_id)
        assert not ResourceFactory.build(
            tracking_device_id=device_id
        ).tracking_device_id_is_guessable()
    # Every character of the alphabet turns up, at every place: nothing is fixed.
    for place in range(len(ids[0])):
        if ids[0][place] != "-":
            assert len({device_id[place] for device_id in ids}) == len(TRACKING_DEVICE_ID_ALPHABET)


@pytest.mark.parametrize(
    ("device_id", "guessable"),
    [
        ("82879256", True),  # Traccar Client's own default: an eight-digit number
        ("van-12", True),
        ("123456789012345", True),
        ("1234567890123456", False),
        ("", False),  # no id: nothing to guess, no positions from the app
    ],
)
def test_a_short_tracking_device_id_is_guessable(device_id: str, guessable: bool) -> None:
    technician = ResourceFactory(tracking_device_id=device_id)
    assert technician.tracking_device_id_is_guessable() is guessable
    found = Resource.objects.with_guessable_tracking_device_id()
    assert (technician in found) is guessable
