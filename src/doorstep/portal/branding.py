"""The company's colours and font as a stylesheet of their own, `/branding/<version>.css`.

Pages link to it instead of carrying the colours in a `style=` attribute, which the
Content-Security-Policy refuses. Its address names a hash of what it says, so a browser
keeps it for a year and fetches the new one as soon as the office changes the branding
(see docs/decisions/0012-security-headers.md).
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from doorstep.portal.context_processors import portal_settings

A_YEAR = 365 * 24 * 3600


class Colours(Protocol):
    """What the stylesheet says: the portal settings' colours and font."""

    @property
    def text_color(self) -> str: ...
    @property
    def background_color(self) -> str: ...
    @property
    def foreground_color(self) -> str: ...
    @property
    def font_family(self) -> str: ...


def stylesheet_text(portal: Colours) -> str:
    # The values are checked when staff save them (hex colours, a plain font list).
    return (
        ":root {\n"
        f"  --text: {portal.text_color};\n"
        f"  --background: {portal.background_color};\n"
        f"  --accent: {portal.foreground_color};\n"
        f"  --font: {portal.font_family};\n"
        "}\n"
    )


def stylesheet_version(portal: Colours) -> str:
    return hashlib.sha256(stylesheet_text(portal).encode()).hexdigest()[:12]


def stylesheet_url(portal: Colours) -> str:
    return reverse("portal:branding", kwargs={"version": stylesheet_version(portal)})


@require_safe
def stylesheet(request: HttpRequest, version: str) -> HttpResponse:
    """The branding today; cached for long only under the address of today's version."""
    portal = portal_settings(request)
    response = HttpResponse(stylesheet_text(portal), content_type="text/css; charset=utf-8")
    if version == stylesheet_version(portal):
        patch_cache_control(response, public=True, max_age=A_YEAR, immutable=True)
    else:
        # A page from before the change: today's colours, but never kept under an
        # address that named other ones.
        patch_cache_control(response, no_cache=True)
    return response
