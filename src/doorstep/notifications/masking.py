"""Codes that open the portal, hidden from what the development backends print.

The console backends write every message to the server's output, which ends up in logs
that more people read than the customers the codes are for. Visit links and invitation
codes are hidden there; the file backends (EMAIL_BACKEND=file, SMS_BACKEND=file) keep
whole messages for a developer who needs to follow one.
"""

from __future__ import annotations

import functools
import re

from django.urls import reverse

from doorstep.access.codes import ALPHABET

HIDDEN = "[hidden]"
NOTE = "(Codes that open the portal are hidden here; the file backend keeps them.)"


def hide_codes(text: str) -> tuple[str, int]:
    """The text with every visit link's and invitation's code replaced; how many were."""
    hidden = 0
    for pattern in _patterns():
        text, count = pattern.subn(lambda match: match.group("before") + HIDDEN, text)
        hidden += count
    return text, hidden


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    # Built from the URL configuration, so a moved page is still covered.
    links = [
        reverse("visit_link", args=["CODE"]),
        reverse("portal:invite_code", args=["CODE"]),
    ]
    letters = re.escape(ALPHABET)
    return (
        *(
            re.compile(f"(?P<before>{re.escape(path.split('CODE')[0])})[^/\\s\"'<>?#]+")
            for path in links
        ),
        # An invitation code on its own, as the email shows it to be typed.
        re.compile(
            f"(?P<before>)(?<![{letters}-])[{letters}]{{4}}(?:-[{letters}]{{4}}){{3}}(?![{letters}-])"
        ),
    )
