"""`/t/<code>/status.json`: the live state of a visit, for the page when its socket fails.

The same payload as the WebSocket's "visit.update" (`tracking.live.visit_state`), under
the same rules as the visit link page: one 404 for unknown, expired and blocked codes,
no Referer, not indexed, not stored, rate-limited per client address.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from doorstep.access.visit_links import find_valid_link
from doorstep.portal.visit_link_views import private_answer, rate_limited
from doorstep.tracking.live import visit_state


@private_answer
@rate_limited
@require_safe
def visit_status(request: HttpRequest, code: str) -> HttpResponse:
    link = find_valid_link(code)
    state = visit_state(booking_id=link.booking_id) if link is not None else None
    if state is None:
        return JsonResponse({"detail": "This visit link is not available."}, status=404)
    return JsonResponse(state)
