"""How the collected static files are served, the same under ASGI and WSGI (ServeStatic)."""

from __future__ import annotations

import re
from typing import Any
from wsgiref.headers import Headers

from django.conf import settings

# Files named with their content's hash (base.3f1a9c0b2d4e.css) never change.
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def _headers(headers: Headers, path: str, url: str) -> None:
    # What Django's security middleware adds to its own answers.
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY or "same-origin"


def _immutable(path: str, url: str) -> bool:
    return bool(HASHED_NAME.search(url))


def static_files_options() -> dict[str, Any]:
    return {
        "root": settings.STATIC_ROOT,
        "prefix": settings.STATIC_URL,
        "max_age": 60,
        "add_headers_function": _headers,
        "immutable_file_test": _immutable,
    }
