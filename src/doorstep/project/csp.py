"""The Content-Security-Policy of every page, built from the settings it depends on.

Pages load their scripts and styles from the site's own files only: nothing inline, no
`style=` attribute. The few inline tags Django's back office still writes carry the
request's nonce (Django's CSP middleware and the `csp` context processor); a page that
uses none sends the policy without one.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.csp import CSP

# Leaflet's placeholders in a tile URL: {s} is a subdomain, the others are numbers or
# words inside the path.
SUBDOMAIN = re.compile(r"\{s\}")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def tile_source(tile_url: str) -> str | None:
    """The source that lets the live map load its tiles; None when they come from here.

    `https://{s}.tile.example.com/{z}/{x}/{y}.png` gives `https://*.tile.example.com`.
    """
    host_part = SUBDOMAIN.sub("*", tile_url)
    parts = urlsplit(PLACEHOLDER.sub("0", host_part))
    if not parts.scheme or not parts.netloc:
        return None  # a path on this site: 'self' covers it
    return f"{parts.scheme}://{parts.netloc}"


def socket_source(base_url: str) -> str | None:
    """The live map's WebSocket at the portal's own address.

    Browsers that follow CSP level 3 let 'self' cover ws: and wss: on the page's host;
    older ones need it named.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


def content_security_policy(
    *, tile_url: str, base_url: str, files_origin: str = ""
) -> dict[str, list[str]]:
    """SECURE_CSP for Django's ContentSecurityPolicyMiddleware; `files_origin`: the S3 store
    that signed downloads of the service history's photos come from, if there is one."""
    tiles = tile_source(tile_url)
    socket = socket_source(base_url)
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, CSP.NONCE],
        "style-src": [CSP.SELF, CSP.NONCE],
        # data: for the small icons some stylesheets carry inline (the API docs' ones).
        "img-src": [
            CSP.SELF,
            "data:",
            *([tiles] if tiles else []),
            *([files_origin] if files_origin else []),
        ],
        "connect-src": [CSP.SELF, *([socket] if socket else [])],
        "font-src": [CSP.SELF],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "frame-ancestors": [CSP.NONE],
        # No form-action: signing in with Google, Microsoft or OpenID Connect posts to
        # this site, which redirects to the provider, and browsers apply form-action to
        # that redirect as well.
    }
