"""The company's default language, read once for all the words of one request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from doorstep.configuration.models import PortalSettings

# The company's default language for the work in hand (a request), so that every word on
# a page can fall back to it without reading the settings again: the page's request sets
# where to find it (its settings, read once) for as long as it runs.
_company_language: ContextVar[Callable[[], str] | None] = ContextVar(
    "doorstep_company_language", default=None
)


def company_language() -> str:
    """The company's default language: from the settings the current request read, else
    from the (cached) portal settings."""
    source = _company_language.get()
    if source is not None:
        return source()
    return PortalSettings.load().default_language


@contextmanager
def company_language_from(source: Callable[[], str]) -> Iterator[None]:
    """Inside the block, `company_language()` asks `source` (which should remember its
    answer): a request reads its settings once for every word it shows."""
    token = _company_language.set(source)
    try:
        yield
    finally:
        _company_language.reset(token)
