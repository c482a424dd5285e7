"""The customer's service plans: what each covers, how often, when the next visit is due
and whether it is booked; and a request to the office to change one."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from doorstep.plans import selectors, services
from doorstep.plans.models import ChangeRequest, Every, ServicePlan
from doorstep.portal import widgets
from doorstep.portal.forms import count_characters
from doorstep.portal.views import contact_of

MAX_REQUEST_LENGTH = ChangeRequest._meta.get_field("text").max_length


def how_often(plan: ServicePlan) -> str:
    """Every month, every 3 months, every 2 weeks."""
    if plan.unit == Every.WEEKS:
        text = ngettext("Every week", "Every %(count)s weeks", plan.every)
    else:
        text = ngettext("Every month", "Every %(count)s months", plan.every)
    return text % {"count": plan.every}


@login_required
@require_safe
def service_plans(request: HttpRequest) -> HttpResponse:
    contact = contact_of(request)
    zone = ZoneInfo(contact.account.time_zone)
    plans = selectors.account_plans(
        account_id=contact.account_id, today=timezone.localdate(timezone=zone)
    )
    # The day of each plan's latest open request, in the customer's time zone.
    waiting: dict[int, date] = {}
    for change in ChangeRequest.objects.filter(
        plan__account_id=contact.account_id, handled_at__isnull=True
    ).order_by("created_at"):
        waiting[change.plan_id] = timezone.localtime(change.created_at, zone).date()
    return render(
        request,
        "portal/plans.html",
        {
            "plans": [
                {
                    "view": view,
                    "how_often": how_often(view.plan),
                    "bookable": view.customers_book,
                    "waiting": waiting.get(view.plan.pk),
                }
                for view in plans
            ],
        },
    )


class ChangeRequestForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What would you like to change?"),
        max_length=MAX_REQUEST_LENGTH,
        widget=widgets.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "For example another month for the visits, a pause, or an end to the plan. "
            "The office reads it and gets back to you."
        ),
        error_messages={"required": gettext_lazy("Please tell us what you would like to change.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        count_characters(self)


@login_required
@require_http_methods(["GET", "POST"])
def change_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    contact = contact_of(request)
    # Another account's plan is as unknown as a plan that does not exist.
    plan = get_object_or_404(
        ServicePlan.objects.select_related("service_type", "asset", "site"),
        pk=plan_id,
        account_id=contact.account_id,
    )
    form = ChangeRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        services.request_change(plan=plan, contact=contact, text=form.cleaned_data["text"])
        messages.success(
            request,
            gettext("Your request about “%(plan)s” is with the office.") % {"plan": plan.name},
        )
        return redirect("portal:plans")
    return render(
        request,
        "portal/plan_change.html",
        {"plan": plan, "how_often": how_often(plan), "form": form},
    )
