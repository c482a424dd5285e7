"""The booking page's service types, written in Python rather than by a template loop.

The loop wrote each radio button's attributes with an inner loop and looked up each
description through four attributes: a fifth of the booking page for a dozen service
types. The markup is the same as the loop wrote (tests/portal/test_widgets.py).
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from doorstep.portal.widgets import attributes, escaped

register = template.Library()


@register.filter
def service_cards(field: BoundField) -> SafeString:
    """One card per service type: its radio button, its name and its description."""
    cards = []
    for option in field:
        data = option.data
        description = data["value"].instance.shown_description
        help_text = f'<span class="help">{escaped(description)}</span>' if description else ""
        kind, name, value = (escaped(str(data[key])) for key in ("type", "name", "value"))
        radio = f'<input type="{kind}" name="{name}" value="{value}"{attributes(data["attrs"])}>'

        cards.append(
            f'\n          <label class="choice choice--card">{radio} <span><strong>'
            f"{escaped(option.choice_label)}</strong>\n            {help_text}"
            "</span></label>\n        "
        )
    if not cards:
        empty = gettext("No services can be booked online at the moment. Please call us.")
        cards.append(f'\n          <p class="empty">{escaped(empty)}</p>\n        ')
    return mark_safe("".join(cards))  # noqa: S308 (every value above is escaped)
