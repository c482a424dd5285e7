"""Who is calling the API, what their key may do, and how often it may call."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from doorstep.access.api_keys import authenticate_keys
from doorstep.access.models import ApiKey, Scope
from doorstep.core.rate_limits import count_in_window

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

HOW_TO_SEND = "Send an API key as the header “Authorization: Bearer <key>”."
NOT_VALID = "The API key is not valid, has expired or has been revoked."
RATE_WINDOW_SECONDS = 60


class KeyHolder:
    """The caller of an API request: an integration, known by its key."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key

    def __str__(self) -> str:
        return str(self.api_key)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[KeyHolder, ApiKey] | None:
        header = get_authorization_header(request)
        if not header:
            return None
        try:
            scheme, _, key = header.decode("ascii").partition(" ")
        except UnicodeDecodeError:
            raise AuthenticationFailed(HOW_TO_SEND) from None
        key = key.strip()
        if scheme.lower() != "bearer" or not key or " " in key:
            raise AuthenticationFailed(HOW_TO_SEND)
        api_key = authenticate_keys(keys={key}).get(key)
        if api_key is None:
            raise AuthenticationFailed(NOT_VALID)
        return KeyHolder(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="Doorstep API"'


def required_scope(request: Request, view: APIView) -> Scope:
    """Reads need the view's read scope (`read` unless it says otherwise), changes its
    write scope (`write` unless it says otherwise)."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return getattr(view, "read_scope", Scope.READ)
    return getattr(view, "write_scope", Scope.WRITE)


class HasScope(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return False  # answered 401: no key was sent
        scope = required_scope(request, view)
        if api_key.allows(scope):
            return True
        self.message = (
            f"This API key may not do this: it needs the “{scope.value}” scope. "
            "Staff can add it to the key in the back office."
        )
        return False


class KeyRateLimit(BaseThrottle):
    """A fixed number of requests a minute per key (the `api-key` throttle rate, always
    per minute), counted across every process."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return True
        limit = int(api_settings.DEFAULT_THROTTLE_RATES["api-key"].partition("/")[0])
        window = int(time.time() // RATE_WINDOW_SECONDS)
        used = count_in_window(f"api-key:{api_key.pk}:{window}", window_seconds=RATE_WINDOW_SECONDS)
        self.reset = math.ceil((window + 1) * RATE_WINDOW_SECONDS - time.time())
        self.remaining = max(0, limit - used)
        rate_headers(request, limit=limit, remaining=self.remaining, reset=self.reset)
        return used <= limit

    def wait(self) -> float | None:
        return float(getattr(self, "reset", RATE_WINDOW_SECONDS))


RATE_LIMIT_ATTRIBUTE = "doorstep_rate_limit"


def rate_headers(request: Request, *, limit: int, remaining: int, reset: int) -> None:
    """Remember the key's allowance, for the answer's RateLimit headers."""
    setattr(
        request,
        RATE_LIMIT_ATTRIBUTE,
        {
            "RateLimit-Policy": f"{limit};w={RATE_WINDOW_SECONDS}",
            "RateLimit": f"limit={limit}, remaining={remaining}, reset={reset}",
        },
    )


def rate_limit_headers(request: Any) -> dict[str, str]:
    """The RateLimit headers of the answer to `request` (none before a key was counted)."""
    return dict(getattr(request, RATE_LIMIT_ATTRIBUTE, None) or {})
