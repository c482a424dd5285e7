"""Headers that keep private answers out of caches and secret codes out of Referers.

A middleware rather than a decorator on each view, so that no answer escapes: the
redirect Django makes from `/t/<code>` to `/t/<code>/`, a 404 under a code, a page added
later.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin

# Addresses that carry a secret in their path: visit links and invitations.
CODE_IN_PATH = re.compile(r"^/(?:t|invite)/[^/]+")


def keep_private(response: HttpResponseBase) -> None:
    """No cache, shared or the browser's, keeps the answer (`private, no-store`)."""
    patch_cache_control(response, private=True, no_store=True)


def keep_code_to_itself(response: HttpResponseBase) -> None:
    """The code in the address goes nowhere: no Referer, no index, no cache."""
    # The page's own links and resources must not carry the code to their destination;
    # the project default ("same-origin") would still send it to this site's other pages.
    # A page with a form chooses its own (under "no-referrer" browsers post forms with
    # `Origin: null`, which the CSRF check refuses): the visit's survey.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response["X-Robots-Tag"] = "noindex"
    keep_private(response)


def is_signed_in(request: HttpRequest) -> bool:
    # The session says so, as it told the authentication middleware: request.user may
    # have been replaced since (the API's views put their key's user there).
    session = getattr(request, "session", None)
    if session is None:
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified:
        return False  # no session to read; a sign-in in this very request changed it
    return SESSION_KEY in session


def is_the_same_for_everyone(response: HttpResponseBase) -> bool:
    """The view said so (`Cache-Control: public`), as the branding stylesheet does."""
    directives = response.get("Cache-Control", "").lower().split(",")
    return any(directive.strip() == "public" for directive in directives)


class PrivateAnswersMiddleware(MiddlewareMixin):
    """`private, no-store` for a signed-in user; visit links and invitations kept secret.

    Listed before CommonMiddleware, so that it also sees the redirects that one makes.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if CODE_IN_PATH.match(request.path_info):
            keep_code_to_itself(response)
        elif not is_the_same_for_everyone(response) and is_signed_in(request):
            keep_private(response)
        return response
