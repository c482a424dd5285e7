"""Lists in pages a sync can walk: ordered by last change, continued by a cursor."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class SyncCursorPagination(CursorPagination):
    """Oldest change first, so an integration that walks every page and then asks again
    with `updated_since` (the last record's `updated_at`) misses nothing and reads nothing
    twice that did not change. A cursor holds its place when records are added."""

    ordering = ("updated_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_cursor_message = (
        "This cursor is not one this API gave out: start again without it, or with the "
        "`next` link of the last page you read."
    )


class CreationCursorPagination(SyncCursorPagination):
    """For records that never change once written (messages, visit links, feedback):
    oldest first, continued with `created_since`."""

    ordering = ("created_at", "id")
