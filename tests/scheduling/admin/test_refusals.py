"""A service's refusal comes back on the form of the request it refused, and on no other."""

from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence, MutableSet
from typing import Any

import pytest
from django.test import Client

from doorstep.core.errors import DomainError
from doorstep.scheduling import admin as scheduling_admin
from doorstep.scheduling.admin import base
from doorstep.scheduling.models import Booking
from tests.scheduling.admin.pages import (
    booking_page,
    error_text,
    inline_management,
    scheduled_booking,
    shown_times,
)

REFUSAL = "The technician has just set off; reload the page."


@pytest.mark.parametrize(
    "module",
    [base, *(getattr(scheduling_admin, name) for name in scheduling_admin.__all__)],
    ids=lambda module: module.__name__,
)
def test_the_pages_keep_no_state_in_their_modules(module: object) -> None:
    # Requests run on many threads at once: what one of them needs later travels with
    # it, never through a module's dictionary or list that every thread shares.
    shared = [
        name
        for name, value in vars(module).items()
        if not name.startswith("__")
        and isinstance(value, MutableMapping | MutableSequence | MutableSet)
    ]
    assert shared == []


def test_a_refusal_is_shown_once_on_its_own_request(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = scheduled_booking()
    url = booking_page(booking)
    data = inline_management(staff_client, url) | shown_times(booking)

    def refuse(**kwargs: Any) -> Booking:
        raise DomainError(REFUSAL)

    monkeypatch.setattr("doorstep.scheduling.services.set_status", refuse)
    refused = staff_client.post(url, data | {"new_status": "traveling"})
    page_after = staff_client.get(url)

    assert REFUSAL in error_text(refused)
    assert not refused.context["adminform"].form.is_valid()
    assert REFUSAL not in error_text(page_after)
    assert page_after.context["adminform"].form.errors == {}
