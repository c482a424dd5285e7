"""Prepared queries: compiled once, run with each call's values, the same rows as Django's."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from pytest_django import DjangoAssertNumQueries

from doorstep.core.prepared import PreparedQuery, fits_a_column
from doorstep.customers.models import Asset, Contact
from doorstep.scheduling.models import Booking
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


def _bookings(account_id: int) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(work_order__account_id=account_id)
        .select_related("work_order__account", "work_order__asset", "resource")
        .order_by("start", "pk")
    )


def _contacts(email: str, account_id: int) -> QuerySet[Contact]:
    return Contact.objects.filter(email=email, account_id=account_id).select_related("account")


def _values(row: Any) -> dict[str, object]:
    """A row's loaded values and, recursively, those of the related rows loaded with it."""
    found: dict[str, object] = {
        name: value for name, value in vars(row).items() if not name.startswith("_")
    }
    for name, related in row._state.fields_cache.items():
        found[name] = None if related is None else _values(related)
    return found


def test_a_prepared_query_gives_the_rows_django_gives_with_their_related_rows(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    ours, theirs = AccountFactory(), AccountFactory()
    site = FunctionalLocationFactory(account=ours)
    asset = AssetFactory(account=ours, functional_location=site)
    for account in (ours, ours, theirs):
        BookingFactory(work_order=WorkOrderFactory(account=account, asset=asset))
    prepared = PreparedQuery(_bookings, int)

    for account in (ours, theirs, ours):
        with django_assert_num_queries(1):
            rows = prepared(account.pk)
            # The related rows came with it: reading them asks nothing more.
            shown = [_values(row) for row in rows]
        expected = [_values(row) for row in _bookings(account.pk)]
        assert shown == expected
        assert [type(row) for row in rows] == [Booking] * len(expected)
        assert all(row._state.db == "default" and not row._state.adding for row in rows)
    assert len(prepared(ours.pk)) == 2
    assert prepared(-1) == []


def test_strings_are_bound_in_their_places_and_every_value_is_a_parameter() -> None:
    account = AccountFactory()
    contact = ContactFactory(account=account, email="o'brien@example.com")
    ContactFactory(account=AccountFactory(), email="o'brien@example.com")
    prepared = PreparedQuery(_contacts, str, int)

    assert [row.pk for row in prepared("o'brien@example.com", account.pk)] == [contact.pk]
    assert prepared("o'brien@example.com'; --", account.pk) == []
    assert prepared("O'BRIEN@example.com", account.pk) == []  # an exact match, as Django's


def test_a_query_is_compiled_once_whatever_the_number_of_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = AccountFactory()
    BookingFactory(work_order=WorkOrderFactory(account=account))
    compiled = []
    original = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    prepared = PreparedQuery(_bookings, int)
    for _ in range(5):
        assert len(prepared(account.pk)) == 1
    assert compiled == [Booking]


@pytest.mark.django_db(transaction=True)  # the other thread sees what this one wrote
def test_threads_share_the_compiled_query_and_each_uses_its_own_connection() -> None:
    account = AccountFactory()
    asset = AssetFactory(account=account)
    prepared = PreparedQuery(lambda account_id: Asset.objects.filter(account_id=account_id), int)
    assert [row.pk for row in prepared(account.pk)] == [asset.pk]
    used: list[object] = []
    found: list[list[Asset]] = []
    failures: list[BaseException] = []

    def read() -> None:
        try:
            used.append(connections["default"])
            found.append(prepared(account.pk))
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(10)
    assert failures == []
    assert len(used) == 1
    assert used[0] is not connection
    assert [[row.pk for row in rows] for rows in found] == [[asset.pk]]


@pytest.mark.parametrize(
    ("build", "kinds", "values", "refusal"),
    [
        # icontains wraps the value in % signs: it cannot be put in its place unchanged.
        (lambda text: Contact.objects.filter(email__icontains=text), (str,), ("a",), ValueError),
        # A value the query never uses.
        (lambda text: Contact.objects.all(), (str,), ("a",), ValueError),
        # Values rather than model instances.
        (lambda pk: Contact.objects.filter(pk=pk).values("email"), (int,), (1,), ValueError),
        (
            lambda pk: Contact.objects.filter(pk=pk).prefetch_related("account"),
            (int,),
            (1,),
            ValueError,
        ),
    ],
)
def test_a_query_that_cannot_be_prepared_is_refused_when_first_run(
    build: Any, kinds: tuple[type, ...], values: tuple[Any, ...], refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        PreparedQuery(build, *kinds)(*values)


@pytest.mark.parametrize(
    "values",
    [(), (1, 2), ("1",), (True,), (1.0,), (None,), (2**63,), (-(2**63) - 1,), (10**30,)],
)
def test_values_of_the_wrong_kind_or_size_are_refused(values: tuple[Any, ...]) -> None:
    prepared = PreparedQuery(lambda pk: Contact.objects.filter(pk=pk), int)
    with pytest.raises(TypeError):
        prepared(*values)


def test_only_strings_and_integers_can_be_bound() -> None:
    with pytest.raises(TypeError):
        PreparedQuery(lambda day: Contact.objects.filter(created_at__date=day), float)
    assert all(fits_a_column(value) for value in ("", 2**63 - 1, -(2**63)))
    assert not any(fits_a_column(value) for value in (2**63, True, None, 1.0))
