"""A piece of the customer's equipment: its visits to come, its past visits with what was
done, and the documents published for it (manuals, certificates): its maintenance history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from doorstep.customers.models import Asset
from doorstep.history import selectors
from doorstep.portal import selectors as portal_selectors
from doorstep.portal.history_views import VISITS_PER_PAGE
from doorstep.portal.views import contact_of
from doorstep.scheduling.selectors import visit


@login_required
@require_safe
def equipment(request: HttpRequest, asset_id: int) -> HttpResponse:
    contact = contact_of(request)
    # Another account's equipment is as unknown as equipment that does not exist.
    asset = get_object_or_404(
        Asset.objects.select_related("functional_location"),
        pk=asset_id,
        account_id=contact.account_id,
    )
    page = Paginator(
        selectors.past_visits(
            account_id=contact.account_id, only=selectors.HistoryFilter(asset=asset)
        ),
        VISITS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/equipment.html",
        {
            "asset": asset,
            "upcoming": portal_selectors.equipment_upcoming(contact, asset_id=asset.pk),
            "page": page,
            "visits": [visit(booking) for booking in page.object_list],
            "documents": list(selectors.equipment_documents(asset=asset)),
        },
    )
