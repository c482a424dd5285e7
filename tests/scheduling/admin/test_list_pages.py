"""The scheduling list pages: their queries do not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.admin_pages import assert_list_queries_do_not_grow


def _booking_row() -> Model:
    return factories.BookingFactory(work_order__incident_type=factories.IncidentTypeFactory())


def _note_row() -> Model:
    return factories.TimelineNoteFactory(author=factories.UserFactory())


LIST_ROWS: dict[str, Callable[[], Model]] = {
    "admin:scheduling_booking_changelist": _booking_row,
    "admin:scheduling_workorder_changelist": lambda: _booking_row().work_order,  # type: ignore[attr-defined]
    "admin:scheduling_timelinenote_changelist": _note_row,
}


@pytest.mark.parametrize("url_name", LIST_ROWS)
def test_list_page_queries_do_not_grow_with_rows(
    staff_client: Client, url_name: str, django_assert_max_num_queries: Any
) -> None:
    assert_list_queries_do_not_grow(
        staff_client, reverse(url_name), LIST_ROWS[url_name], django_assert_max_num_queries
    )
