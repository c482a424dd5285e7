from __future__ import annotations

from django.http import HttpRequest

from doorstep.configuration.models import PortalSettings


def branding(request: HttpRequest) -> dict[str, object]:
    """The company's portal settings, read once per request, for every page and email."""
    cached = getattr(request, "_portal_settings", None)
    if cached is None:
        cached = PortalSettings.load()
        request._portal_settings = cached  # type: ignore[attr-defined]
    return {"portal": cached}
