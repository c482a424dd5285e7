"""Rating a visit from its visit link, without signing in.

The link's page offers "Rate your visit" at `/t/<code>/feedback/`. Addresses under
`/t/<code>/` are answered with "no-referrer" so that the code reaches no other page, and
a form on such a page cannot be sent: browsers post it with `Origin: null`, which the
CSRF check refuses. So `/t/<code>/feedback/` only hands the code over, in a signed cookie
that only the survey's own address gets, and the survey lives at `/rate/`, an address
without a secret. The form names its visit, so a survey opened in another tab since
cannot rate the wrong one.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from doorstep.access.visit_links import find_valid_link
from doorstep.portal.feedback import feedback_page
from doorstep.portal.visit_link_views import rate_limited
from doorstep.scheduling.selectors import visit

SURVEY_COOKIE = "visit_survey"
SURVEY_COOKIE_SALT = "doorstep.portal.visit-survey"
SURVEY_COOKIE_SECONDS = 3600
OTHER_VISIT = gettext_lazy(
    "This form was for another visit: a survey opened since in another tab replaced it. "
    "Open the link in your message again to rate this one."
)


@require_safe
def open_survey(request: HttpRequest, code: str) -> HttpResponse:
    """`/t/<code>/feedback/`: on to the survey, the code kept for it alone."""
    response = redirect("portal:visit_survey")
    response.set_signed_cookie(
        SURVEY_COOKIE,
        code[:100],  # longer than any code; find_valid_link refuses it either way
        salt=SURVEY_COOKIE_SALT,
        max_age=SURVEY_COOKIE_SECONDS,
        path=reverse("portal:visit_survey"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@rate_limited
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest) -> HttpResponse:
    """`/rate/`: the survey of the visit whose link was opened last, once per visit."""
    response = _survey(request)
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_store=True)
    return response


def _survey(request: HttpRequest) -> HttpResponse:
    code = request.get_signed_cookie(
        SURVEY_COOKIE, default="", salt=SURVEY_COOKIE_SALT, max_age=SURVEY_COOKIE_SECONDS
    )
    link = find_valid_link(code) if code else None
    if link is None:
        # The visit page's own answer for unknown, expired and blocked codes alike.
        return render(request, "portal/visit_link/not_available.html", {"messages": ()}, status=404)
    context: dict[str, object] = {
        # The portal's messages belong to its own pages: this one must not use them up.
        "messages": (),
        "visit_field": link.booking_id,
    }
    if request.method == "POST" and request.POST.get("visit") != str(link.booking_id):
        context["refusal"] = OTHER_VISIT
        return render(
            request,
            "portal/feedback.html",
            {
                **context,
                "visit": visit(link.booking),
                "back_url": reverse("visit_link", args=[code]),
                "back_label": "Back to your visit",
            },
            status=400,
        )
    return feedback_page(
        request,
        link.booking,
        contact=link.contact,
        back=(reverse("visit_link", args=[code]), gettext_lazy("Back to your visit")),
        extra=context,
    )
