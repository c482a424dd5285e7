"""The web server's fast lane for location pings: answered on the event loop, before Django.

Phones post a position every few seconds, so pings are most of the requests a busy
server gets. Even lean, Django's request handling costs about half a millisecond of
CPU for each; this lane answers the ping requests that need nothing of Django's
middleware (no session, no CSRF, no redirect) in a tenth of that, on the event loop,
and leaves the recording to the ingest group commit (`tracking.ingest.INGEST`), like the
views do:

- ``POST /api/v1/locations`` with an ``Authorization`` header (integrations);
- ``GET`` or ``POST /api/v1/osmand`` (Traccar Client);

of at most `MAX_BODY_BYTES`, with a Content-Length.

Everything else goes on to Django: the technician app's signed-in posts, other
methods (answered 405 there), a Host that is not allowed (400 there), plain HTTP when
HTTPS is required (redirected there). The answers are `api.ingest`'s, so they do not
depend on the lane.
"""

from __future__ import annotations

import json
import logging

from asgiref.typing import (
    ASGI3Application,
    ASGIReceiveCallable,
    ASGISendCallable,
    HTTPScope,
    Scope,
)
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http.request import split_domain_port, validate_host

from doorstep.api import ingest
from doorstep.tracking.ingest import Job

logger = logging.getLogger(__name__)

LOCATIONS = "/api/v1/locations"
OSMAND = "/api/v1/osmand"
# Reading a request happens on the event loop, before any key is checked: a larger one
# (a thousand JSON pings are about 100 KB) goes to Django, which reads it in a thread.
MAX_BODY_BYTES = 256 * 1024


class FastLane:
    """ASGI middleware: answers the ping requests it can take, passes on the rest."""

    def __init__(self, application: ASGI3Application) -> None:
        self.application = application

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] == "http" and _takes(scope):
            await _answer(scope, receive, send)
        else:
            await self.application(scope, receive, send)


def _headers(scope: HTTPScope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }


def _takes(scope: HTTPScope) -> bool:
    path, method = scope["path"], scope["method"]
    methods = {OSMAND: ("GET", "POST"), LOCATIONS: ("POST",)}.get(path, ())
    if method not in methods:
        return False
    headers = _headers(scope)
    if path == LOCATIONS and not headers.get("authorization", "").strip():
        return False  # the technician app, signed in: Django checks its session
    length = headers.get("content-length", "0").strip() or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES or "transfer-encoding" in headers:
        return False
    if settings.SECURE_SSL_REDIRECT and scope.get("scheme") != "https":
        return False
    host = headers.get("x-forwarded-host" if settings.USE_X_FORWARDED_HOST else "host", "")
    domain, _ = split_domain_port(host.split(",")[-1].strip())
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


async def _read_body(receive: ASGIReceiveCallable) -> bytes | None:
    """The request body; None when it is larger than it said."""
    limit = MAX_BODY_BYTES
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        if not isinstance(chunk, bytes):
            return None
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(scope: HTTPScope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    body = await _read_body(receive)
    if body is None:
        await _send(send, scope, ingest.error(400, "The request is larger than it said."))
        return
    headers = _headers(scope)
    try:
        if scope["path"] == LOCATIONS:
            key = ingest.key_from_header(headers.get("authorization", ""))
            read: Job | ingest.Answer = ingest.read_locations(body, key=key)
        else:
            read = ingest.read_osmand(
                method=scope["method"],
                query_string=scope["query_string"].decode("latin-1"),
                content_type=headers.get("content-type", "").split(";")[0].strip(),
                body=body,
            )
    except SuspiciousOperation as problem:  # too many form fields, as Django answers
        read = ingest.error(400, f"The request cannot be read: {problem}")
    if isinstance(read, ingest.Answer):
        answer = read
    else:
        try:
            answer = await ingest.submit_async(read)
        except Exception:
            logger.exception("Could not record the positions of a request to %s", scope["path"])
            answer = ingest.error(
                500, "The positions could not be recorded: send them again later."
            )
    await _send(send, scope, answer)


async def _send(send: ASGISendCallable, scope: HTTPScope, answer: ingest.Answer) -> None:
    content = json.dumps(answer.body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        # What Django's security and clickjacking middleware add to every answer.
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", (settings.SECURE_REFERRER_POLICY or "same-origin").encode()),
    ]
    if settings.SECURE_HSTS_SECONDS and scope.get("scheme") == "https":
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append((b"strict-transport-security", hsts.encode()))
    if answer.retry_after is not None:
        headers.append((b"retry-after", str(answer.retry_after).encode()))
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": headers,
            "trailers": False,
        }
    )
    await send({"type": "http.response.body", "body": content, "more_body": False})
