"""Rating a completed visit: one rating and an optional comment per visit.

Signed in from the portal, or from the visit link a message carried without signing in
(`portal.visit_link_survey`): both go through the same feedback service and pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from doorstep.customers.models import Contact
from doorstep.portal.forms import count_characters
from doorstep.portal.views import contact_of
from doorstep.scheduling import feedback as feedback_services
from doorstep.scheduling import selectors
from doorstep.scheduling.models import Booking, VisitFeedback

RATING_CHOICES = [
    (1, gettext_lazy("1 – Very poor")),
    (2, gettext_lazy("2 – Poor")),
    (3, gettext_lazy("3 – Okay")),
    (4, gettext_lazy("4 – Good")),
    (5, gettext_lazy("5 – Excellent")),
]
CHOOSE_A_RATING = gettext_lazy("Choose a rating from 1 (very poor) to 5 (excellent).")


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How was your visit?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_A_RATING, "invalid_choice": CHOOSE_A_RATING},
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us?"),
        required=False,
        max_length=feedback_services.MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What went well, or what we could do better."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        count_characters(self)


@login_required
@require_http_methods(["GET", "POST"])
def visit_feedback(request: HttpRequest, booking_id: int) -> HttpResponse:
    contact = contact_of(request)
    booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    return feedback_page(
        request,
        booking,
        contact=contact,
        back=(reverse("portal:home") + "?tab=past", gettext_lazy("Back to my visits")),
    )


def feedback_page(
    request: HttpRequest,
    booking: Booking,
    *,
    contact: Contact | None,
    back: tuple[str, str | Promise],
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    """The survey of `booking` for `contact` (None: a visit link's holder), or why not."""
    context = {"back_url": back[0], "back_label": back[1], **(extra or {})}
    status = 400 if request.method == "POST" else 200
    try:
        feedback_services.check_feedback_possible(booking=booking, contact=contact)
    except feedback_services.FeedbackAlreadyGiven:
        return _already_given(request, booking, context, status=status)
    except feedback_services.FeedbackRefused as refusal:
        return _page(request, booking, context, refusal=refusal.message, status=status)

    # Bound on any POST, even an empty one, so a hand-made POST gets the "choose" message.
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            given = feedback_services.give_feedback(
                booking=booking,
                contact=contact,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except feedback_services.FeedbackAlreadyGiven:
            return _already_given(request, booking, context, status=400)
        except feedback_services.FeedbackRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            # Shown straight away rather than through a redirect: sending the form again
            # (a reload) is refused by the service and lands on the "already given" page.
            return render(
                request,
                "portal/feedback_thanks.html",
                {
                    **context,
                    "visit": selectors.visit(booking),
                    "feedback": given,
                    "just_given": True,
                },
            )
    return _page(request, booking, context, form=form, status=400 if form.errors else 200)


def _page(
    request: HttpRequest,
    booking: Booking,
    context: dict[str, object],
    *,
    form: FeedbackForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "portal/feedback.html",
        {**context, "visit": selectors.visit(booking), "form": form, "refusal": refusal},
        status=status,
    )


def _already_given(
    request: HttpRequest, booking: Booking, context: dict[str, object], *, status: int
) -> HttpResponse:
    given = VisitFeedback.objects.filter(booking_id=booking.pk).first()
    return render(
        request,
        "portal/feedback_thanks.html",
        {**context, "visit": selectors.visit(booking), "feedback": given, "just_given": False},
        status=status,
    )
