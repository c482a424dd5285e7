from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

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
