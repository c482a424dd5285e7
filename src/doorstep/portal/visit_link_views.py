"""The visit link page, `/t/<code>/`: one visit, opened from a message without signing in.

Whoever holds the link sees the visit, so the page is careful: it answers the same
"not available" page for an unknown, expired or blocked code, never passes the code on
in a Referer, is neither indexed nor stored by caches, loads nothing from other sites,
writes nothing, and is rate-limited per client address. Included from the project's
URLs under `t/<str:code>/`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime
from typing import Concatenate
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from doorstep.access.models import VisitLink
from doorstep.access.visit_links import find_valid_link
from doorstep.core.rate_limits import (
    VISIT_CODE_LIMIT,
    VISIT_CODE_WINDOW_SECONDS,
    client_address,
    count_in_window,
)
from doorstep.history import selectors as history
from doorstep.notifications.calendars import calendar_sequence
from doorstep.portal.context_processors import portal_settings
from doorstep.portal.fragments import render_fragment
from doorstep.portal.language import use_recipient_language
from doorstep.scheduling import selectors
from doorstep.scheduling.calendar import visit_calendar
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking.live import visit_state

type View[**P] = Callable[Concatenate[HttpRequest, P], HttpResponse]

# Requests per client address and window, for the page and its calendar file together.
RATE_LIMIT = VISIT_CODE_LIMIT
RATE_WINDOW_SECONDS = VISIT_CODE_WINDOW_SECONDS

OPENSTREETMAP = "https://www.openstreetmap.org/"
# How often the live map asks for the visit's state when its socket is not open.
LIVE_POLL_SECONDS = 10


def private_answer[**P](view: View[P]) -> View[P]:
    """Every answer of these URLs, a refusal included, keeps the code to itself."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # The page's own links (sign in, the map) must not carry the code to their
        # destination in the Referer header; the project default is "same-origin".
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        # A blocked link must stop working at once, also in a shared cache.
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped


def rate_limited[**P](view: View[P]) -> View[P]:
    """At most RATE_LIMIT requests per client address per window, then a 429."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        now = _clock()
        window = int(now // RATE_WINDOW_SECONDS)
        key = f"visit-link-rate:{client_ip(request)}:{window}"
        if count_in_window(key, window_seconds=RATE_WINDOW_SECONDS) > RATE_LIMIT:
            retry_after = RATE_WINDOW_SECONDS - int(now % RATE_WINDOW_SECONDS)
            response = render(
                request,
                "portal/visit_link/too_many_requests.html",
                {"messages": ()},
                status=429,
            )
            response["Retry-After"] = str(retry_after)
            return response
        return view(request, *args, **kwargs)

    return wrapped


def client_ip(request: HttpRequest) -> str:
    return client_address(
        remote_addr=str(request.META.get("REMOTE_ADDR", "")),
        forwarded_for=str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
    )


def _clock() -> float:
    return time.time()


@private_answer
@rate_limited
@require_safe
def visit_link(request: HttpRequest, code: str) -> HttpResponse:
    link = find_valid_link(code)
    if link is None:
        return _not_available(request)
    recipient = link.contact
    use_recipient_language(request, recipient.preferred_language if recipient else None)
    return _visit_page(request, _page_context(request, link, code))


@private_answer
@rate_limited
@require_safe
def visit_link_calendar(request: HttpRequest, code: str) -> HttpResponse:
    link = find_valid_link(code)
    if link is None:
        return _not_available(request)
    recipient = link.contact
    use_recipient_language(request, recipient.preferred_language if recipient else None)
    booking = link.booking
    ics = visit_calendar(booking, sequence=calendar_sequence(booking_id=booking.pk))
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visit-{booking.reference}.ics"'
    return response


def _not_available(request: HttpRequest) -> HttpResponse:
    # One page for unknown, expired and blocked codes alike: telling them apart would
    # tell someone trying codes that they found one.
    # The language switch returns home from here: the code stays out of the page.
    context = {"messages": (), "language_switch_next": "/"}
    return render(request, "portal/visit_link/not_available.html", context, status=404)


def _page_context(request: HttpRequest, link: VisitLink, code: str) -> dict[str, object]:
    booking = link.booking
    work_order = booking.work_order
    visit = selectors.visit(booking)
    zone = booking.time_zone
    portal = portal_settings(request)
    context: dict[str, object] = {
        "visit": visit,
        "calendar_url": reverse("visit_link_calendar", args=[code]),
        "map_url": _map_url(work_order.latitude, work_order.longitude),
        # The page shows the portal's layout, whose messages belong to the portal's own
        # pages; showing them here would use them up, and opening this page writes nothing.
        "messages": (),
        "portal": portal,
    }
    if booking.status == BookingStatus.TRAVELING:
        context["live"] = _live_map(
            booking,
            status_url=reverse("visit_link_status", args=[code]),
            socket_path=f"/ws/visits/{code}/",
        )
    if booking.status == BookingStatus.SCHEDULED and work_order.latitude is not None:
        context["address_map"] = {
            "latitude": _coordinate(work_order.latitude),
            "longitude": _coordinate(work_order.longitude),
            "tile_url": settings.DOORSTEP_MAP_TILE_URL,
            "attribution": settings.DOORSTEP_MAP_ATTRIBUTION,
        }
    if booking.status == BookingStatus.SCHEDULED and booking.can_modify():
        # The visit's own page in the portal, which offers both moving and canceling.
        context["sign_in_to_modify"] = _sign_in_then(
            reverse("portal:confirmation", args=[booking.pk])
        )
    if booking.status == BookingStatus.COMPLETED:
        context["completed_at"] = _local(booking.completed_at, zone)
        feedback_given = hasattr(booking, "feedback")  # loaded with the link: no query
        context["feedback_given"] = feedback_given
        if portal.include_survey and not feedback_given:
            # The link itself is enough to rate the visit, once: no sign-in.
            context["feedback_url"] = reverse("portal:visit_link_feedback", args=[code])
        # What the visit left behind (decision 0019), shown beside the page's cached part:
        # documents may be published days later.
        history.load_history(booking)
        context["history"] = True
        context["code"] = code
    if booking.status == BookingStatus.CANCELED:
        context["canceled_at"] = _local(link.booking_canceled_at, zone)
    return context


def _live_map(booking: Booking, *, status_url: str, socket_path: str) -> dict[str, object]:
    """What the live map of a visit on its way needs, and its state as text for no JS."""
    work_order = booking.work_order
    state = visit_state(booking_id=booking.pk) or {}
    zone = booking.time_zone
    eta = datetime.fromisoformat(state["eta"]) if state.get("eta") else None
    updated = datetime.fromisoformat(state["updated_at"]) if state.get("updated_at") else None
    distance_m = state.get("distance_m")
    return {
        "latitude": _coordinate(work_order.latitude),
        "longitude": _coordinate(work_order.longitude),
        "tile_url": settings.DOORSTEP_MAP_TILE_URL,
        "attribution": settings.DOORSTEP_MAP_ATTRIBUTION,
        "status_url": status_url,
        "socket_path": socket_path,
        "poll_ms": int(LIVE_POLL_SECONDS * 1000),
        "quiet_ms": settings.DOORSTEP_LIVE_QUIET_SECONDS * 1000,
        "time_zone": zone.key,
        "state": state,
        "eta": _local(eta, zone),
        "minutes": state.get("minutes"),
        "distance": _distance(distance_m) if distance_m is not None else "",
        "updated_ago": (
            _ago(max(0, int((timezone.now() - updated).total_seconds()))) if updated else ""
        ),
    }


def _ago(seconds: int) -> str:
    """As live.js writes it: seconds below a minute, minutes below an hour, then hours."""
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = seconds // 3600
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _coordinate(value: object) -> str:
    return "" if value is None else str(value)


def _distance(metres: float) -> str:
    """As live.js writes it: metres below 1 km, else km with one decimal, kept left to
    right inside right-to-left text (Arabic showed "km 5.7")."""
    figure = f"{round(metres)} m" if metres < 1000 else f"{metres / 1000:.1f} km"
    return f"\u2066{figure}\u2069"  # a left-to-right isolate


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """In the visit's zone, which the page shows as is (with the zone's own abbreviation)."""
    return timezone.localtime(moment, zone) if moment is not None else None


def _sign_in_then(next_url: str) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def _map_url(latitude: object, longitude: object) -> str:
    # A plain link, not an embedded map: following it is the customer's choice, and the
    # page itself loads nothing from another site.
    if latitude is None or longitude is None:
        return ""
    query = urlencode({"mlat": str(latitude), "mlon": str(longitude)})
    return f"{OPENSTREETMAP}?{query}#map=17/{latitude}/{longitude}"


urlpatterns = [
    path("", visit_link, name="visit_link"),
    path("calendar.ics", visit_link_calendar, name="visit_link_calendar"),
]


@login_required
def live_visit(request: HttpRequest, booking_id: int) -> HttpResponse:
    """ "View live map" from the portal home: the visit-link page of a visit on its way.

    For the signed-in customer, without a code. The live map itself comes with the
    tracking work; until then the page says who is coming.
    """
    from doorstep.portal.views import contact_of

    contact = contact_of(request)
    booking = get_object_or_404(
        selectors.account_bookings(contact).select_related("resource"), pk=booking_id
    )
    if booking.status != BookingStatus.TRAVELING:
        return redirect("portal:confirmation", booking_id=booking.pk)
    work_order = booking.work_order
    context = {
        "visit": selectors.visit(booking),
        "calendar_url": reverse("portal:calendar", args=[booking.pk]),
        "map_url": _map_url(work_order.latitude, work_order.longitude),
        # No status.json for a signed-in contact: without its socket the page polls itself.
        "live": _live_map(booking, status_url="", socket_path=f"/ws/bookings/{booking.pk}/"),
        "portal": portal_settings(request),
    }
    return _visit_page(request, context)


def _visit_page(request: HttpRequest, context: dict[str, object]) -> HttpResponse:
    content = render_fragment("portal/fragments/visit.html", context)
    return render(request, "portal/visit_link/visit.html", {**context, "content": content})
