"""A select box and a text area written in Python, the same HTML as Django's templates.

Django's `Select` renders a template for the box and one more for each option: on the
booking page, the equipment box cost a tenth of the page, and the text area for the
technician's notes another fifteenth. These write the same markup (Django's
`select.html`, `select_option.html`, `textarea.html` and `attrs.html`, whitespace and
all) directly; `tests/portal/test_widgets.py` compares them with Django's for every kind
of option, value and attribute.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe


def escaped(value: object) -> str:
    """Django's `conditional_escape` (text marked safe is kept as it is), without the
    wrapper that makes `escape` lazy, which took half its time."""
    if isinstance(value, Promise):
        value = str(value)
    as_html = getattr(value, "__html__", None)
    return as_html() if as_html is not None else html.escape(str(value))


def attributes(attrs: Mapping[str, Any]) -> str:
    """Django's `attrs.html`: a False value is left out, a True one is written bare."""
    written = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            written.append(f" {escaped(name)}")
        else:
            written.append(f' {escaped(name)}="{escaped(str(value))}"')
    return "".join(written)


class Select(forms.Select):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escaped(widget["name"])}"{attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escaped(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{escaped(str(option["value"]))}"'
                    f"{attributes(option['attrs'])}>{escaped(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


class Textarea(forms.Textarea):
    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        text = escaped(widget["value"]) if widget["value"] else ""
        return mark_safe(  # noqa: S308 (every value is escaped)
            f'<textarea name="{escaped(widget["name"])}"'
            f"{attributes(widget['attrs'])}>\n{text}</textarea>"
        )
