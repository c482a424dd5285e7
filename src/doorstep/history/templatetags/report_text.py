"""The direction of a piece of text, for the service report's right-to-left pages.

The PDF renderer reads `dir` on blocks but has no `unicode-bidi`, so a name, a phone
number or a note written in a left-to-right script gets its own block with `dir="ltr"`
inside an Arabic report (and the other way round), as a browser's `dir="auto"` would.
"""

from __future__ import annotations

import unicodedata

from django import template

register = template.Library()


@register.filter
def text_direction(value: object) -> str:
    """ "rtl" or "ltr" from the first letter with a strong direction; "ltr" if none."""
    for char in str(value):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in {"R", "AL"}:
            return "rtl"
    return "ltr"
