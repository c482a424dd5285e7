"""Querysets built and compiled once per process, run with new values on each request.

The busiest pages read the same shape of rows on every request: the visit link's page
its link with eight related rows, every signed-in page its user with the person behind
it, the home page the account's visits. Django builds such a queryset anew each time and
compiles it to SQL (the joins, the columns of every related model, the converters): on
those pages that was a third of the request, more than the database took to answer.

`PreparedQuery` builds the queryset once for each database, with stand-in values where
the request's values go, compiles it, and keeps the SQL. Each call binds the values in
their places and hands the compiled SQL to Django's own model iterable, so the rows come
back as the same model instances, related rows and converted values as the queryset
would give.

The queryset must take every value that changes from its arguments: a value read inside
`build` (the time now, a setting) would be kept from the first call. Only strings and
integers can be bound, and each must reach the SQL as it was given (an exact match, an
`in` over fixed values is fine; `icontains` rewrites its value and is refused when the
query is prepared).

This leans on the compiler's state that `ModelIterable` reads (`select`, `klass_info`,
`annotation_col_map`); `tests/core/test_prepared.py` compares it with the plain queryset
on every database, so a Django that changes it fails there first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

Value = str | int
# Stand-ins no request sends: strings with a NUL, integers far below any key.
_STRING_MARK = "\x00prepared-value-{}\x00"
_INTEGER_MARK = -(2**62)


def fits_a_column(value: object) -> bool:
    """Whether a value can be bound: a string, or an integer of 64 bits."""
    return type(value) is str or (type(value) is int and -(2**63) <= value < 2**63)


class PreparedQuery[M: Model]:
    """`build(*values)` → a queryset; calling this runs it with the values given.

    `kinds` names the type of each value (`str` or `int`) so that stand-ins of the same
    type can be put in their places when the query is prepared.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *kinds: type) -> None:
        if any(kind not in (str, int) for kind in kinds):
            raise TypeError("a prepared query binds strings and integers only")
        self._build = build
        self._kinds = kinds
        self._compiled: dict[str, _Compiled] = {}

    def __call__(self, *values: Value) -> list[M]:
        if len(values) != len(self._kinds):
            raise TypeError(f"expected {len(self._kinds)} values, got {len(values)}")
        for value, kind in zip(values, self._kinds, strict=True):
            if type(value) is not kind or not fits_a_column(value):
                raise TypeError(f"expected {kind.__name__} of 64 bits at most, got {value!r:.40}")
        model = self._model()
        alias = router.db_for_read(model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._prepare(alias)
        return compiled.run(alias, values)

    def queryset(self, *values: Value) -> QuerySet[M]:
        """The queryset itself, as Django would run it (for tests and comparisons)."""
        return self._build(*values)

    def _model(self) -> type[M]:
        model = getattr(self, "_model_class", None)
        if model is None:
            model = self._model_class = self._build(*self._stand_ins()).model
        return model

    def _stand_ins(self) -> list[Value]:
        return [
            _STRING_MARK.format(position) if kind is str else _INTEGER_MARK + position
            for position, kind in enumerate(self._kinds)
        ]

    def _prepare(self, alias: str) -> _Compiled:
        stand_ins = self._stand_ins()
        queryset = self._build(*stand_ins).using(alias)
        shape = vars(queryset)
        if shape["_iterable_class"] is not ModelIterable or shape["_prefetch_related_lookups"]:
            raise ValueError("a prepared query gives model instances, without prefetches")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        places: list[int | None] = []
        for param in params:
            place = next(
                (
                    i
                    for i, mark in enumerate(stand_ins)
                    if type(param) is type(mark) and param == mark
                ),
                None,
            )
            places.append(place)
        missing = [i for i in range(len(stand_ins)) if places.count(i) == 0]
        if missing:
            raise ValueError(
                f"values {missing} do not reach the SQL unchanged, so they cannot be bound"
            )
        return _Compiled(queryset, compiler, sql, tuple(params), places)


class _Compiled:
    """One database's compiled query: its SQL, its parameters and where values go."""

    def __init__(
        self,
        queryset: QuerySet[Any],
        compiler: SQLCompiler,
        sql: str,
        params: tuple[Any, ...],
        places: list[int | None],
    ) -> None:
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.places = places
        self.bound_class = _bound_class(type(compiler))
        # The functions that turn each column's database value into Python's, worked out
        # on the first run: they depend on the columns and the database, not the values.
        self.converters: dict[int, Any] | None = None

    def run(self, alias: str, values: tuple[Value, ...]) -> list[Any]:
        params = tuple(
            param if place is None else values[place]
            for param, place in zip(self.params, self.places, strict=True)
        )
        bound = object.__new__(self.bound_class)
        vars(bound).update(vars(self.compiler), bound_sql=(self.sql, params), compiled=self)
        bound.connection = connections[alias]  # this thread's connection
        shell: QuerySet[Any] = QuerySet(
            model=self.queryset.model, query=cast(Query, _Query(bound)), using=alias
        )
        return list(ModelIterable(shell))


class _Query:
    """What the model iterable asks of a query: its compiler, here the bound one."""

    def __init__(self, compiler: SQLCompiler) -> None:
        self.compiler = compiler

    def get_compiler(self, using: str | None = None, **kwargs: Any) -> SQLCompiler:
        return self.compiler


_bound_classes: dict[type, type] = {}


def _bound_class(compiler_class: type[SQLCompiler]) -> type[SQLCompiler]:
    """The compiler's class, answering `as_sql()` with the SQL it was given and
    `get_converters()` with the converters of the first run."""
    found = _bound_classes.get(compiler_class)
    if found is None:

        def as_sql(self: Any, *args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...]]:
            bound: tuple[str, tuple[Any, ...]] = self.bound_sql
            return bound

        def get_converters(self: Any, expressions: Any) -> dict[int, Any]:
            compiled: _Compiled = self.compiled
            if compiled.converters is None:
                compiled.converters = compiler_class.get_converters(self, expressions)
            return compiled.converters

        found = _bound_classes[compiler_class] = type(
            f"Bound{compiler_class.__name__}",
            (compiler_class,),
            {"as_sql": as_sql, "get_converters": get_converters},
        )
    return found
