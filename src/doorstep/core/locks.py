"""Row locks that cost nothing where the database has no row locks."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet


def lock_rows(rows: QuerySet[Any]) -> None:
    """Lock these rows until the transaction ends, in primary key order (no deadlock).

    PostgreSQL locks each row (SELECT … FOR UPDATE). SQLite has no row locks and needs
    none: its IMMEDIATE transactions (settings) take the database's one write lock at
    their start, so the query is skipped there.
    """
    if connection.features.has_select_for_update:
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
