"""Which language a page speaks, and the footer's switch that changes it.

The order, first that applies: a signed-in contact's saved language (a technician's own,
in the technician app); the switch's choice, remembered in a cookie; on a visit link, the
language of the contact it was sent to; the browser's Accept-Language; the company's
default language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog, set_language

from doorstep.configuration import languages
from doorstep.customers import services as customer_services
from doorstep.portal.context_processors import stored_settings
from doorstep.workforce import services as technician_services

API_PREFIX = "/api/"


def offered(code: str | None) -> str | None:
    """The offered language a code names (`es-MX` is Spanish), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def person_language(request: HttpRequest) -> str | None:
    """The signed-in contact's or technician's own language, if they have one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    for person in ("contact", "technician"):
        found = getattr(user, person, None)
        if found is not None:
            return offered(getattr(found, "preferred_language", None))
    return None


def chosen_language(request: HttpRequest) -> str | None:
    """The switch's choice in this browser."""
    return offered(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def browser_language(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code != "*" and (found := offered(code)):
            return found
    return None


def company_language() -> str:
    """The company's default language, a portal setting: from the settings this request
    reads anyway (once, from the cache), asked only when nothing else names a language."""
    return offered(languages.company_language()) or "en"


def page_language(request: HttpRequest, *, recipient_language: str | None = None) -> str:
    return (
        person_language(request)
        or chosen_language(request)
        or offered(recipient_language)
        or browser_language(request)
        or company_language()
    )


def use_language(request: HttpRequest, code: str) -> None:
    translation.activate(code)
    request.LANGUAGE_CODE = code


def use_recipient_language(request: HttpRequest, recipient_language: str | None) -> None:
    """On a visit link: speak the language of the contact the link was sent to, unless
    the person reading has said otherwise (signed in, or by the switch)."""
    use_language(request, page_language(request, recipient_language=recipient_language))


class LanguageMiddleware:
    """Activates the page's language; after the sign-in middleware, which it reads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with languages.company_language_from(_company_default(request)):
            use_language(request, page_language(request))
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response


def _company_default(request: HttpRequest) -> Callable[[], str]:
    """Where the company's default language is read for this request: the portal settings
    the page reads anyway; for the API, the installation's default, so that no call (and
    no location ping, which the ingest's fast lane answers without Django) reads them."""
    if request.path_info.startswith(API_PREFIX):
        return lambda: str(settings.LANGUAGE_CODE)
    return lambda: stored_settings(request).default_language


def javascript_catalog(request: HttpRequest, language: str) -> HttpResponseBase:
    """The JavaScript's strings in the language named in the address: the page that loads
    it knows its language (a visit link's recipient's, say), a request of its own not."""
    use_language(request, offered(language) or company_language())
    return JavaScriptCatalog.as_view()(request)


@csrf_exempt
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, back to the page), and for a signed-in contact
    or technician, their saved language too.

    Only a signed-in person's form carries a CSRF token, checked here: the switch sits on
    every page, visit links and error pages included, which set no cookie of their own
    and must read the same for everyone; for anybody else the switch changes nothing
    but this browser's cookie.
    """
    code = offered(request.POST.get("language"))
    user = request.user
    if user.is_authenticated:
        refused = CsrfViewMiddleware(set_language).process_view(request, set_language, (), {})
        if refused is not None:
            return refused
    if code and user.is_authenticated:
        contact = getattr(user, "contact", None)
        if contact is not None:
            customer_services.set_preferred_language(contact=contact, language=code)
        technician = getattr(user, "technician", None)
        if technician is not None:
            technician_services.set_preferred_language(technician=technician, language=code)
    return set_language(request)
