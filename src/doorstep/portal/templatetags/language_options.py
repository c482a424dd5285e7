"""`{% language_options %}`: the language switch's options, the page's language selected.

Each language is named in itself ("Deutsch", "العربيّة"). The template loop that wrote
them looked up every language's details on every page, a sixth of the visit link's page;
the options only depend on the languages offered, which are fixed while the server runs,
and on which is selected, so each set is written once.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag
def language_options() -> SafeString:
    return _options(get_language(), tuple(code for code, _name in settings.LANGUAGES))


@cache
def _options(current: str | None, offered: tuple[str, ...]) -> SafeString:
    options = []
    for code in offered:
        name = capfirst(get_language_info(code)["name_local"])
        selected = " selected" if code == current else ""
        written = conditional_escape(code)
        label = conditional_escape(name)
        options.append(f'<option value="{written}" lang="{written}"{selected}>{label}</option>')
    return mark_safe("".join(options))  # noqa: S308 (escaped above)
