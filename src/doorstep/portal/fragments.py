"""Parts of pages rendered once, then read from the cache for as long as what they show is the same.

Django's template engine takes longer to write a page than the queries take to read it.
A fragment is a template rendered from its context alone (no request, no context
processors), so what it shows can only come from that context; its cache key is a digest
of the context's values, with the language, the time zone and the templates themselves.
Whatever a fragment shows changes, its key changes with it: nothing needs forgetting, no
reader ever gets an outdated part, and keys nobody asks for any more expire.

A model instance counts with every column that was read and every related row loaded
with it (`select_related`), all the way down. Rows loaded any other way (prefetched
lists) must be passed in the context themselves, as lists.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.cache import cache as django_cache
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3600
PLAIN = (str, int, float, bool, Decimal, date, datetime, time, timedelta)
_PLAIN_TYPES = frozenset((*PLAIN, type(None)))
_NOT_READ = object()


class _Mark:
    """Where a row, a dataclass, a dictionary or a sequence begins in a key: written
    without quotes, so that no plain value reads the same."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_ROW, _DATACLASS, _DICT, _LIST, _TUPLE = map(_Mark, ("row", "dataclass", "dict", "list", "tuple"))


def render_fragment(template_name: str, context: Mapping[str, object]) -> SafeString:
    """`template_name` rendered from `context`, from the cache when it was rendered before."""
    key = fragment_key(template_name, context)
    found: str | None
    try:
        found = django_cache.get(key)
    except Exception:
        logger.exception("Cache unavailable; rendering %s", template_name)
        found = None
    if found is not None:
        return mark_safe(found)  # noqa: S308 (rendered by the template engine, which escaped it)
    html = render_to_string(template_name, dict(context))
    try:
        django_cache.set(key, str(html), timeout=TIMEOUT_SECONDS)
    except Exception:
        logger.exception("Cache unavailable; %s is not kept", template_name)
    return mark_safe(html)  # noqa: S308 (as above)


def fragment_key(template_name: str, context: Mapping[str, object]) -> str:
    parts: list[object] = [
        _templates_digest(),
        template_name,
        translation.get_language(),
        timezone.get_current_timezone_name(),
    ]
    _add(context, parts, set())
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    return f"doorstep:fragment:{digest}"


def _add(value: object, parts: list[object], seen: set[int]) -> None:
    kind = type(value)
    if kind in _PLAIN_TYPES:  # most values: checked by their exact type first
        parts.append(value)
    elif isinstance(value, models.Model):
        _add_row(value, parts, seen)
    elif kind is dict or kind is list or kind is tuple:
        _add_collection(value, parts, seen)
    elif value is None or isinstance(value, PLAIN):
        parts.append(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts.append(_DATACLASS)
        parts.append(type(value).__qualname__)
        for field in dataclasses.fields(value):
            parts.append(field.name)
            _add(getattr(value, field.name), parts, seen)
    elif isinstance(value, Mapping | list | tuple):
        _add_collection(value, parts, seen)
    else:
        raise TypeError(
            f"A {type(value).__name__} cannot be part of a cached fragment's context: pass "
            "plain values, model instances, dataclasses, lists or dictionaries."
        )


def _add_collection(value: Any, parts: list[object], seen: set[int]) -> None:
    """A dictionary's names and values, or a list's length and items."""
    if isinstance(value, Mapping):
        parts.append(_DICT)
        parts.append(len(value))
        for name, item in value.items():
            parts.append(name)
            _add(item, parts, seen)
    else:
        parts.append(_TUPLE if isinstance(value, tuple) else _LIST)
        parts.append(len(value))
        for item in value:
            _add(item, parts, seen)


def _add_row(row: models.Model, parts: list[object], seen: set[int]) -> None:
    parts.append(_ROW)
    parts.append(row._meta.label)
    if id(row) in seen:  # a row met again through a relation that points back
        parts.append(row.pk)
        return
    seen.add(id(row))
    columns, relations = _shape(type(row))
    # The row's own values, as read (a column that was not read is not there): going
    # through the fields' descriptors and `get_deferred_fields()` cost twice as much.
    loaded = row.__dict__
    for attname in columns:
        value = loaded.get(attname, _NOT_READ)
        if value is _NOT_READ:
            continue
        if type(value) in _PLAIN_TYPES:
            parts.append(value)
        elif isinstance(value, FieldFile):  # a file column once read through its descriptor
            parts.append(value.name)
        elif isinstance(value, PLAIN):
            parts.append(value)
        else:
            parts.append(repr(value))  # a value object: a phone number, a UUID
    for relation in relations:
        if relation.is_cached(row):
            parts.append(relation.name)
            _add(relation.get_cached_value(row), parts, seen)


@cache
def _shape(model: type[models.Model]) -> tuple[list[str], list[Any]]:
    """A model's columns (their attribute names), and the relations that
    `select_related` can load with a row."""
    relations = [
        field
        for field in model._meta.get_fields()
        if (field.many_to_one or field.one_to_one)
        and isinstance(field, ForeignObject | ForeignObjectRel)
    ]
    return [field.attname for field in model._meta.concrete_fields], relations


@cache
def _templates_digest() -> str:
    """The project's templates as this process runs them: a new release renders afresh."""
    digest = hashlib.blake2b(digest_size=16)
    for config in apps.get_app_configs():
        if not config.name.startswith("doorstep."):
            continue
        for path in sorted(Path(config.path).glob("templates/**/*.html")):
            digest.update(str(path.relative_to(config.path)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
