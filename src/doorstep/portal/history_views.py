"""The customer's service history: every past visit of the account, newest first, with what
was done, its photos, documents, report and the feedback given; by site or equipment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from doorstep.customers.models import Asset, FunctionalLocation
from doorstep.history import selectors
from doorstep.portal.views import contact_of
from doorstep.scheduling.selectors import visit

VISITS_PER_PAGE = 20


def _chosen[M: (Asset, FunctionalLocation)](options: list[M], value: str | None) -> M | None:
    """The option whose id the query names, if it is one of the account's."""
    return next((option for option in options if str(option.pk) == value), None)


@login_required
@require_safe
def service_history(request: HttpRequest) -> HttpResponse:
    contact = contact_of(request)
    account_id = contact.account_id
    sites = list(FunctionalLocation.objects.filter(account_id=account_id).order_by("name"))
    equipment = list(Asset.objects.filter(account_id=account_id).order_by("name"))
    only = selectors.HistoryFilter(
        site=_chosen(sites, request.GET.get("site")),
        asset=_chosen(equipment, request.GET.get("equipment")),
    )
    page = Paginator(
        selectors.past_visits(account_id=account_id, only=only), VISITS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/history.html",
        {
            "page": page,
            "visits": [visit(booking) for booking in page.object_list],
            "sites": sites,
            "equipment": equipment,
            "only": only,
            "site_documents": list(selectors.site_documents(site=only.site)) if only.site else [],
            "equipment_documents": (
                list(selectors.equipment_documents(asset=only.asset)) if only.asset else []
            ),
        },
    )
