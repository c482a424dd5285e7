from __future__ import annotations

from django.http import HttpRequest

from doorstep.configuration.models import PortalSettings


def portal_settings(request: HttpRequest) -> PortalSettings:
    """The company's portal settings, read once per request by views and templates alike."""
    found: PortalSettings | None = getattr(request, "portal_settings", None)
    if found is None:
        found = PortalSettings.load()
        request.portal_settings = found  # type: ignore[attr-defined]
    return found


def branding(request: HttpRequest) -> dict[str, object]:
    """The portal settings for every page and email, as `portal`."""
    return {"portal": portal_settings(request)}
