"""The portal settings are read from the database once, then from the cache until changed.

These tests commit for real (`transactional_db`): inside a test's own transaction the
settings are never kept for other requests, as they might not be committed yet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from doorstep.configuration import caching
from doorstep.configuration.models import PortalSettings
from tests.configuration.test_admin import admin_url, posted_values
from tests.factories import ContactFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def forgotten_after_the_test() -> Iterator[None]:
    yield
    caching.forget()  # the database is emptied after a test that commits


def test_a_second_read_asks_the_database_nothing(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    PortalSettings.load()

    with django_assert_num_queries(0):
        again = PortalSettings.load()

    assert again.company_name == "Doorstep"


def test_each_read_is_a_copy_of_its_own() -> None:
    PortalSettings.load()
    mine = PortalSettings.load()
    mine.company_name = "Changed without saving"

    assert PortalSettings.load().company_name == "Doorstep"


def test_words_changed_in_place_change_nothing_for_the_next_read() -> None:
    PortalSettings.load()
    mine = PortalSettings.load()
    mine.translations.setdefault("es", {})["company_name"] = "Cambiado sin guardar"
    mine._state.fields_cache["anything"] = object()

    again = PortalSettings.load()

    assert "es" not in again.translations
    assert "anything" not in again._state.fields_cache
    assert not again._state.adding


def test_while_the_version_stands_a_read_asks_the_cache_for_it_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    PortalSettings.load()
    asked: list[str] = []
    real = cache.get

    def counted(key: str, *args: object, **kwargs: object) -> object:
        asked.append(key)
        return real(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counted)

    assert PortalSettings.load().company_name == "Doorstep"
    assert asked == [caching.VERSION_KEY]


def test_a_version_written_by_another_process_is_read_at_the_next_load() -> None:
    PortalSettings.load()
    PortalSettings.load()  # now from this process's own copy
    theirs = PortalSettings.load()
    theirs.company_name = "Acme Heating"
    key = caching.value_key(field.attname for field in PortalSettings._meta.concrete_fields)

    cache.set_many({caching.VERSION_KEY: "theirs", key: ("theirs", theirs)})

    assert PortalSettings.load().company_name == "Acme Heating"


def test_a_saved_change_is_read_at_once() -> None:
    settings = PortalSettings.load()
    settings.company_name = "Acme Heating"
    settings.save()

    assert PortalSettings.load().company_name == "Acme Heating"


def test_a_change_through_a_queryset_is_read_at_once() -> None:
    PortalSettings.load()

    PortalSettings.objects.filter(pk=1).update(company_name="Acme Heating")

    assert PortalSettings.load().company_name == "Acme Heating"


def test_a_change_saved_in_the_back_office_shows_on_the_next_page(client: Client) -> None:
    contact = ContactFactory(user=UserFactory())
    client.force_login(contact.user)
    assert "Doorstep" in client.get(reverse("portal:home")).content.decode()  # now cached
    office = Client()
    office.force_login(StaffUserFactory())
    page = admin_url(PortalSettings, "change", 1)
    form = office.get(page).context["adminform"].form

    saved = office.post(page, posted_values(form) | {"company_name": "Acme Heating"})

    assert saved.status_code == 302
    assert "Acme Heating" in client.get(reverse("portal:home")).content.decode()


class Undone(Exception):
    pass


def change_then_undo() -> str:
    with transaction.atomic():
        settings = PortalSettings.load()
        settings.company_name = "Never committed"
        settings.save()
        seen = PortalSettings.load().company_name  # its own write, inside the transaction
        raise Undone(seen)


def test_a_change_that_is_rolled_back_is_never_read() -> None:
    PortalSettings.load()

    with pytest.raises(Undone, match="Never committed"):
        change_then_undo()

    assert PortalSettings.load().company_name == "Doorstep"


def test_a_reader_that_kept_the_old_row_during_a_save_is_not_believed_after_it() -> None:
    old = PortalSettings.load()
    with transaction.atomic():
        settings = PortalSettings.load()
        settings.company_name = "Acme Heating"
        settings.save()
        # Meanwhile another request, which still sees the committed row, reads and keeps it.
        key = caching.value_key(field.attname for field in PortalSettings._meta.concrete_fields)
        cache.set(key, (cache.get(caching.VERSION_KEY), old))

    assert PortalSettings.load().company_name == "Acme Heating"


# --- Several processes sharing Redis --------------------------------------------------------

READER = """
import sys
import django

django.setup()
from doorstep.configuration.models import PortalSettings

for line in sys.stdin:
    print(PortalSettings.load().company_name, flush=True)
"""


@pytest.mark.postgres  # an SQLite test database lives in this process's memory
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs a cache shared by processes: set REDIS_URL"
)
def test_a_change_saved_in_one_process_is_read_by_another() -> None:
    PortalSettings.load()
    database = connection.settings_dict
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        # The test database, which the other process would not know by itself.
        "DATABASE_URL": _database_url(database),
    }
    reader = subprocess.Popen(
        [sys.executable, "-c", READER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert reader.stdin is not None
    assert reader.stdout is not None
    try:
        reader.stdin.write("read\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "Doorstep"

        settings = PortalSettings.load()
        settings.company_name = "Acme Heating"
        settings.save()

        reader.stdin.write("read\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "Acme Heating"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)


def _database_url(database: dict[str, object]) -> str:
    user, host, port = database["USER"], database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{database['NAME']}"
