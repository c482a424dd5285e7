"""The scheduling list pages: their queries do not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories


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
    make_row = LIST_ROWS[url_name]
    url = reverse(url_name)
    for _ in range(2):
        make_row()
    staff_client.get(url)  # the session and the user are loaded once, like on any page
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    for _ in range(12):
        make_row()

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(url)

    assert response.context["cl"].result_count == 14
