"""The web server's fast lane for location pings: answered on the event loop, before Django.

Phones post a position every few seconds, so pings are most of the requests a busy
server gets. Even lean, Django's request handling costs about half a millisecond of
CPU for each; this lane answers the ping requests that need nothing of Django's
middleware but the headers it adds, in a fraction of that, on the event loop, and
leaves the recording to the ingest group commit (`tracking.ingest.INGEST`), like the
views do:

- ``POST /api/v1/locations`` with an ``Authorization`` header (integrations);
- ``GET`` or ``POST /api/v1/osmand`` (Traccar Client);

with no cookies and of at most `MAX_BODY_BYTES`, with a Content-Length. An API key
not accepted lately is checked before the body is read (`ingest.check_key_async()`).

An answer is the one Django would give, header for header: the request is read as
Django reads it (the same WSGI environ and `WSGIRequest`, its own host check) and the
headers of its middleware are those the project's real middleware chain added around
the same answer to a request of the same shape (`_Middleware`), learnt at the first
such request and kept. Everything else goes on to Django: the technician app's
signed-in posts, other methods (answered 405 there), a Host that is not allowed (400
there), plain HTTP when HTTPS is required (redirected there), and every request while
`MIDDLEWARE` holds a middleware the lane does not know. The answers themselves are
`api.ingest`'s, so they do not depend on the lane.
"""

from __future__ import annotations

import contextvars
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from a2wsgi.wsgi import build_environ
from asgiref.typing import (
    ASGI3Application,
    ASGIReceiveCallable,
    ASGISendCallable,
    HTTPScope,
    Scope,
)
from django.conf import settings
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import resolve
from django.utils import translation
from django.utils.module_loading import import_string

from doorstep.api import answers, ingest
from doorstep.tracking.ingest import Job

logger = logging.getLogger(__name__)

LOCATIONS = "/api/v1/locations"
OSMAND = "/api/v1/osmand"
# Traccar Client takes the server's address as typed: with a final slash, or without.
METHODS = {OSMAND: ("GET", "POST"), f"{OSMAND}/": ("GET", "POST"), LOCATIONS: ("POST",)}
# Reading a request happens on the event loop: a larger one (a thousand JSON pings are
# about 100 KB) goes to Django, which reads it in a thread.
MAX_BODY_BYTES = 256 * 1024
# The middleware whose part in the answer to a ping request depends on nothing but its
# path, method, scheme, Accept-Language and cookies (and the answer's status), as read
# in their code. The lane learns their headers once per request shape (`Shape`); a
# middleware not in this list might read anything, so with one the lane steps aside.
UNDERSTOOD_MIDDLEWARE = frozenset(
    {
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "allauth.account.middleware.AccountMiddleware",
        # The policy header comes from the settings alone (no nonce in a JSON answer).
        "django.middleware.csp.ContentSecurityPolicyMiddleware",
        # Reads the path and the session cookie only: a ping has neither a code in its
        # path nor a cookie, so its answer is left as it is.
        "doorstep.portal.headers.PrivateAnswersMiddleware",
        # Without a cookie or a sign-in the language comes from Accept-Language (part of
        # the shape) or the settings; the answers of `api.answers` are not translated.
        "doorstep.portal.language.LanguageMiddleware",
    }
)
# Accept-Language is the client's to choose: past this many shapes, start again.
MAX_SHAPES = 1_000

Shape = tuple[str, str, bool, str | None]
"""What the middleware's headers depend on: path, method, HTTPS, Accept-Language."""
Headers = list[tuple[bytes, bytes]]


class FastLane:
    """ASGI middleware: answers the ping requests it can take, passes on the rest.

    What it learns of Django's middleware it learns at first use and keeps: build a new
    lane when the settings change (the tests build one a request).
    """

    def __init__(self, application: ASGI3Application) -> None:
        self.application = application
        self._middleware: _Middleware | None = None
        self._middleware_checked = False
        self._sent: dict[tuple[Shape, int, bool], Headers | None] = {}

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] == "http" and (taken := self._takes(scope)) is not None:
            await self._answer(*taken, receive, send)
        else:
            await self.application(scope, receive, send)

    def _takes(self, scope: HTTPScope) -> tuple[WSGIRequest, Shape, _Middleware] | None:
        """The request as Django would see it, when the lane answers it."""
        if scope["method"] not in METHODS.get(scope["path"], ()):
            return None
        if not self._middleware_checked:
            self._middleware = _project_middleware()
            self._middleware_checked = True
        middleware = self._middleware
        request = _ping_request(scope) if middleware else None
        if middleware is None or request is None:
            return None
        language = request.META.get("HTTP_ACCEPT_LANGUAGE")
        shape = (request.path_info, scope["method"], request.is_secure(), language)
        # A middleware that answers itself (an HTTPS redirect) or sets a cookie makes
        # the request Django's.
        if self._headers_sent(middleware, request, shape, status=200, retry=False) is None:
            return None
        return request, shape, middleware

    def _headers_sent(
        self,
        middleware: _Middleware,
        request: WSGIRequest,
        shape: Shape,
        *,
        status: int,
        retry: bool,
    ) -> Headers | None:
        """The headers Django sends with an answer of `status` (with a Retry-After or not)
        to a request of `shape`, its length and Retry-After being each answer's own; None
        when its middleware does more to such an answer than add headers."""
        key = (shape, status, retry)
        if key not in self._sent:
            if len(self._sent) >= MAX_SHAPES:
                self._sent.clear()
            template = _response(answers.Answer(status, {}, retry_after=0 if retry else None))
            try:
                self._sent[key] = middleware.around(request, template).sent
            except Exception:  # Django answers with its error page
                logger.exception("Django's middleware failed on a ping request")
                self._sent[key] = None
        return self._sent[key]

    async def _answer(
        self,
        request: WSGIRequest,
        shape: Shape,
        middleware: _Middleware,
        receive: ASGIReceiveCallable,
        send: ASGISendCallable,
    ) -> None:
        answer = await _key_refused(request)
        if answer is None:
            body = await _read_body(receive)
            if body is None:
                answer = answers.error(400, "The request is larger than it said.")
            else:
                answer = await _recorded(request, body)
        sent = self._headers_sent(
            middleware, request, shape, status=answer.status, retry=answer.retry_after is not None
        )
        if sent is None:  # a middleware has more to say of this answer: let it
            await _send(send, middleware.around(request, _response(answer)).response)
            return
        # As JsonResponse encodes it, without the cost of building one for each answer.
        content = json.dumps(answer.body, cls=DjangoJSONEncoder).encode()
        own = {
            b"content-length": str(len(content)).encode(),
            b"retry-after": str(answer.retry_after).encode(),
        }
        headers = [(name, own.get(name, value)) for name, value in sent]
        await _send_answer(send, answer.status, headers, content)


def _project_middleware() -> _Middleware | None:
    """The project's middleware chain; None when it holds one the lane does not know."""
    unknown = [name for name in settings.MIDDLEWARE if name not in UNDERSTOOD_MIDDLEWARE]
    if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        unknown.append("CommonMiddleware with PREPEND_WWW or DISALLOWED_USER_AGENTS")
    if unknown:
        logger.warning(
            "The fast lane passes every ping to Django: it does not know what %s would "
            "make of its answers.",
            ", ".join(unknown),
        )
        return None
    return _Middleware()


def _ping_request(scope: HTTPScope) -> WSGIRequest | None:
    """The request Django would be given, when it is one the lane may answer."""
    try:
        request = WSGIRequest(build_environ(scope, io.BytesIO()))  # type: ignore[arg-type]
    except (KeyError, ValueError):  # undecodable; Django's WSGI adapter fails alike
        return None
    meta = request.META
    if request.path_info == LOCATIONS and not meta.get("HTTP_AUTHORIZATION", "").strip():
        return None  # the technician app, signed in: Django checks its session
    if "HTTP_COOKIE" in meta or "HTTP_TRANSFER_ENCODING" in meta:
        return None  # a browser's session and language are Django's to read
    length = meta.get("CONTENT_LENGTH", "").strip() or "0"
    if not length.isdigit() or int(length) > _max_body_bytes():
        return None
    try:
        request.get_host()  # as Django's CommonMiddleware checks it, first thing
    except DisallowedHost:
        return None
    return request


def _max_body_bytes() -> int:
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused by Django: leave it to Django.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return MAX_BODY_BYTES if limit is None else min(MAX_BODY_BYTES, limit)


async def _read_body(receive: ASGIReceiveCallable) -> bytes | None:
    """The request body; None when it is larger than it said."""
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
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _key_refused(request: WSGIRequest) -> answers.Answer | None:
    """The answer to a request whose API key is refused, before its body is read."""
    if request.path_info != LOCATIONS:
        return None
    key = ingest.key_from_header(request.META.get("HTTP_AUTHORIZATION", ""))
    return None if key is None else await ingest.check_key_async(key)


async def _recorded(request: WSGIRequest, body: bytes) -> answers.Answer:
    """What `api.locations`' views answer to `request` with `body`."""
    meta = request.META
    if request.path_info == LOCATIONS:
        key = ingest.key_from_header(meta.get("HTTP_AUTHORIZATION", ""))
        read: Job | answers.Answer = ingest.read_locations(body, key=key)
    else:
        read = ingest.read_osmand(
            method=request.method or "GET",
            query_string=meta.get("QUERY_STRING", ""),
            content_type=request.content_type or "",
            body=body,
            client=ingest.client_of(meta),
        )
    if isinstance(read, answers.Answer):
        return read
    return await ingest.submit_async(read)


# --- Django's middleware, around the lane's answers ------------------------------------


@dataclass(frozen=True)
class _Around:
    response: HttpResponseBase
    """What Django's middleware made of the answer."""
    sent: Headers | None
    """Its headers as Django sends them; None when the middleware did more to the answer
    than add headers."""


_ANSWER: contextvars.ContextVar[HttpResponseBase] = contextvars.ContextVar("lane_answer")


class _Middleware:
    """The project's middleware chain, built as Django's handler builds it, around an
    answer given in the view's place."""

    def __init__(self) -> None:
        handler: Callable[[HttpRequest], HttpResponseBase] = self._view
        self._view_hooks: list[Callable[..., HttpResponseBase | None]] = []
        for name in reversed(settings.MIDDLEWARE):
            try:
                middleware = import_string(name)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self._view_hooks.insert(0, middleware.process_view)
            handler = middleware
        self._chain = handler

    def around(self, request: HttpRequest, answer: HttpResponseBase) -> _Around:
        """What the middleware makes of `answer` as the view's response to `request`."""
        own = _headers(answer)
        token = _ANSWER.set(answer)
        try:
            # LocaleMiddleware activates the request's language and leaves it active.
            with translation.override(None):
                response = self._chain(request)
        finally:
            _ANSWER.reset(token)
        sent = _headers(response)
        if response is not answer or response.cookies or sent[: len(own)] != own:
            return _Around(response, None)
        return _Around(response, sent)

    def _view(self, request: HttpRequest) -> HttpResponseBase:
        # As Django's handler calls a view, with the lane's answer for the view's: the
        # view middleware (the CSRF check) still sees the view the request resolves to.
        match = request.resolver_match = resolve(request.path_info)
        for process_view in self._view_hooks:
            response = process_view(request, match.func, match.args, match.kwargs)
            if response is not None:
                return response
        return _ANSWER.get()


def _headers(response: HttpResponseBase) -> Headers:
    """The headers of `response` as Django's WSGI handler and a2wsgi send them."""
    pairs: list[tuple[str, Any]] = [
        *response.items(),
        *(("Set-Cookie", cookie.OutputString()) for cookie in response.cookies.values()),
    ]
    return [
        (name.strip().encode("latin-1").lower(), str(value).strip().encode("latin-1"))
        for name, value in pairs
    ]


def _response(answer: answers.Answer) -> JsonResponse:
    """`answer` as `api.locations`' views send it."""
    response = JsonResponse(answer.body, status=answer.status)
    if answer.retry_after is not None:
        response["Retry-After"] = str(answer.retry_after)
    return response


async def _send(send: ASGISendCallable, response: HttpResponseBase) -> None:
    content = getattr(response, "content", b"")
    await _send_answer(send, response.status_code, _headers(response), content)


async def _send_answer(
    send: ASGISendCallable, status: int, headers: Headers, content: bytes
) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": headers, "trailers": False}
    )
    await send({"type": "http.response.body", "body": content, "more_body": False})
