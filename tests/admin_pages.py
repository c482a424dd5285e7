"""Checks shared by the back-office tests of every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

FEW_ROWS, MANY_ROWS = 2, 14


def assert_list_queries_do_not_grow(
    client: Client, url: str, make_row: Callable[[], object], assert_max_queries: Any
) -> None:
    """The list page runs no more queries for 14 rows than for 2: nothing per row."""
    for _ in range(FEW_ROWS):
        make_row()
    client.get(url)  # the session and the user are loaded once, like on any page
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(MANY_ROWS - FEW_ROWS):
        make_row()

    with assert_max_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.context["cl"].result_count == MANY_ROWS
