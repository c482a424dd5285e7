"""The suite's SQLite database behaves as `doorstep serve`'s does when threads share it.

The browser tests' live server, the worker threads and the tests' own helper threads each
open a connection. On Django's shared in-memory database a read on one connection made
another's write fail at once ("database table is locked"), a run now and then; on a WAL
file, as in production, the write goes ahead.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from doorstep.workforce.models import Resource
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _add_a_technician() -> int:
    try:
        return ResourceFactory().pk
    finally:
        connection.close()


def test_a_thread_writes_while_another_connection_reads() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own locking")
    assert not connection.is_in_memory_db()
    ResourceFactory()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")  # a read left open, as a page being written holds one
        cursor.execute("SELECT count(*) FROM workforce_resource")
        assert cursor.fetchone() == (1,)
        try:
            with ThreadPoolExecutor(1) as pool:
                added = pool.submit(_add_a_technician).result(timeout=30)
        finally:
            cursor.execute("ROLLBACK")
    assert Resource.objects.filter(pk=added).exists()
    assert Resource.objects.count() == 2
