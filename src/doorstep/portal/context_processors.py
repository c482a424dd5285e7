from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

from doorstep.configuration.models import PortalSettings


def stored_settings(request: HttpRequest) -> PortalSettings:
    """The company's portal settings as stored, read once per request (from the cache)."""
    found: PortalSettings | None = getattr(request, "stored_portal_settings", None)
    if found is None:
        found = PortalSettings.load()
        request.stored_portal_settings = found  # type: ignore[attr-defined]
    return found


def portal_settings(request: HttpRequest) -> PortalSettings:
    """The company's portal settings as this page's reader sees them, its words in the
    page's language; read once per request by views and templates alike."""
    language = translation.get_language()
    found: tuple[str | None, PortalSettings] | None = getattr(request, "portal_settings", None)
    if found is None or found[0] != language:
        # A visit link switches to its recipient's language after the middleware.
        found = (language, stored_settings(request).in_language(language))
        request.portal_settings = found  # type: ignore[attr-defined]
    return found[1]


def branding(request: HttpRequest) -> dict[str, object]:
    """The portal settings for every page and email, as `portal`."""
    return {"portal": portal_settings(request)}
