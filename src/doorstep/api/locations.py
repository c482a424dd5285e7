"""Location ingest: the technician app, integrations, and the Traccar Client apps post here."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from doorstep.api.auth import api_key_from_request
from doorstep.api.osmand import OsmAndFormatError, OsmAndRequest, parse_json, parse_params
from doorstep.tracking.models import PingSource
from doorstep.tracking.services import IngestResult, PingIn, Refusal, record_pings
from doorstep.workforce.models import Resource

logger = logging.getLogger(__name__)

MAX_PINGS_PER_REQUEST = 1_000
EXAMPLE_TIME = "2025-05-01T09:30:00Z"


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _refusals(refusals: list[Refusal]) -> list[dict[str, object]]:
    return [{"index": refusal.index, "reason": refusal.reason} for refusal in refusals]


def _answer(result: IngestResult) -> JsonResponse:
    """200 when every ping was stored or already known, 207 when some were refused, 400 when all."""
    refused = _refusals(result.refusals)
    if result.nothing_accepted:
        return _error(400, "No position was accepted.", refused=refused)
    body = {"accepted": result.accepted, "duplicates": result.duplicates, "refused": refused}
    return JsonResponse(body, status=207 if refused else 200)


def _csrf_failed(request: HttpRequest) -> bool:
    # The view is exempt because integrations and the Traccar apps cannot send a token;
    # a signed-in browser can, and is checked here as the middleware would have.
    middleware = CsrfViewMiddleware(_empty_response)
    return middleware.process_view(request, _empty_response, (), {}) is not None


def _empty_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _technician_named(body: dict[str, Any]) -> Resource | JsonResponse:
    if body.get("technician_id") not in (None, ""):
        technician_id = body["technician_id"]
        if isinstance(technician_id, bool) or not str(technician_id).isdigit():
            return _error(400, "technician_id must be the technician's number.")
        technician = Resource.objects.filter(pk=int(technician_id)).first()
        if technician is None:
            return _error(404, f"No technician has the number {technician_id}.")
        return technician
    device_id = str(body.get("device_id") or "").strip()
    if device_id:
        technician = Resource.objects.filter(tracking_device_id=device_id).first()
        if technician is None:
            return _error(404, f"No technician has the tracking device id “{device_id}”.")
        return technician
    return _error(
        400,
        "Name the technician: send technician_id, or device_id (their tracking device id).",
    )


def _number(ping: dict[str, Any], name: str, *, required: bool = False) -> float | None:
    value = ping.get(name)
    if value is None:
        if required:
            raise ValueError(f"{name} is missing.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number.")
    return float(value)


def _recorded_at(ping: dict[str, Any]) -> datetime:
    value = ping.get("recorded_at")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            f"recorded_at is missing: send the time of the position, like {EXAMPLE_TIME}."
        )
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"recorded_at must be a date and time in ISO 8601, like {EXAMPLE_TIME}."
        ) from None
    if timezone.is_naive(moment):
        raise ValueError(f"recorded_at must include its time zone, like {EXAMPLE_TIME}.")
    return moment


def _ping(raw: object, *, device_id: str) -> PingIn:
    if not isinstance(raw, dict):
        raise ValueError("Each ping must be a JSON object.")
    return PingIn(
        latitude=_number(raw, "latitude", required=True),  # type: ignore[arg-type]
        longitude=_number(raw, "longitude", required=True),  # type: ignore[arg-type]
        recorded_at=_recorded_at(raw),
        accuracy_m=_number(raw, "accuracy"),
        speed_mps=_number(raw, "speed"),
        heading_deg=_number(raw, "heading"),
        altitude_m=_number(raw, "altitude"),
        battery_percent=_number(raw, "battery"),
        device_id=device_id,
    )


def _caller(request: HttpRequest) -> tuple[Resource | None, JsonResponse | None]:
    """The signed-in technician, or (None, None) for a valid API key; else the refusal."""
    key = api_key_from_request(request)
    if key.presented:
        if key.api_key is None:
            return None, _error(401, "The API key is not valid or has been revoked.")
        return None, None
    if not request.user.is_authenticated:
        return None, _error(
            401, "Sign in as a technician, or send an API key as “Authorization: Bearer <key>”."
        )
    if _csrf_failed(request):
        return None, _error(
            403,
            "The CSRF token is missing or wrong: send the csrftoken cookie's value "
            "in the X-CSRFToken header.",
        )
    technician = Resource.objects.filter(user=request.user).first()
    if technician is None:
        return None, _error(403, "Only a technician can post locations.")
    return technician, None


def _read_pings(
    raw_pings: list[Any], *, device_id: str
) -> tuple[list[PingIn], list[int], list[Refusal]]:
    """The readable pings, where each was in the request, and why the others are not."""
    pings: list[PingIn] = []
    positions: list[int] = []
    unreadable: list[Refusal] = []
    for index, raw in enumerate(raw_pings):
        try:
            pings.append(_ping(raw, device_id=device_id))
            positions.append(index)
        except ValueError as error:
            unreadable.append(Refusal(index, str(error)))
    return pings, positions, unreadable


@csrf_exempt
@require_POST
def post_locations(request: HttpRequest) -> JsonResponse:
    """Take pings (a batch, or one) of the signed-in technician or of one an API key names."""
    technician, refusal = _caller(request)
    if refusal is not None:
        return refusal
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _error(400, f"The body is not valid JSON: {error}.")
    if not isinstance(body, dict):
        return _error(400, "The body must be a JSON object with a list of pings.")

    source, device_id = PingSource.APP, ""
    if technician is None:  # an integration, which names the technician
        named = _technician_named(body)
        if isinstance(named, JsonResponse):
            return named
        technician, source = named, PingSource.API
        device_id = str(body.get("device_id") or "").strip()

    raw_pings = body.get("pings", [body])
    if not isinstance(raw_pings, list) or not 1 <= len(raw_pings) <= MAX_PINGS_PER_REQUEST:
        return _error(400, f"pings must be a list of 1 to {MAX_PINGS_PER_REQUEST:,} pings.")

    pings, positions, unreadable = _read_pings(raw_pings, device_id=device_id)
    result = record_pings(resource=technician, pings=pings, source=source)
    result.refusals = sorted(
        [*unreadable, *(Refusal(positions[r.index], r.reason) for r in result.refusals)],
        key=lambda refusal: refusal.index,
    )
    return _answer(result)


def _osmand_request(request: HttpRequest, *, now: datetime) -> OsmAndRequest:
    body = request.body.strip()
    is_json = request.content_type == "application/json" or body[:1] in (b"{", b"[")
    if request.method == "POST" and is_json:
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise OsmAndFormatError(f"The body is not valid JSON: {error}.") from None
        fallback = request.GET.get("id") or request.GET.get("deviceid") or ""
        return parse_json(data, fallback_device_id=fallback, now=now)
    # Fields may be in the query string, in a form body, or both (query string first,
    # as Traccar reads them); a body without a form content type is read as one too.
    params: dict[str, str] = {}
    if request.method == "POST" and body:
        form = request.POST if request.POST else QueryDict(body.decode("utf-8", "replace"))
        params.update(form.dict())
    params.update(request.GET.dict())
    return parse_params(params, now=now)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def osmand(request: HttpRequest) -> JsonResponse:
    """The OsmAnd protocol of the Traccar Client apps, keyed by the tracking device id."""
    now = timezone.now()
    try:
        parsed = _osmand_request(request, now=now)
    except OsmAndFormatError as error:
        return _error(400, error.message)
    technician = Resource.objects.filter(tracking_device_id=parsed.device_id).first()
    if technician is None:
        logger.info("OsmAnd position from unknown device %r", parsed.device_id)
        return _error(
            404,
            f"No technician has the tracking device id “{parsed.device_id}”: "
            "set it on the technician in the back office.",
        )
    result = record_pings(
        resource=technician, pings=parsed.pings, source=PingSource.OSMAND, now=now
    )
    if result.nothing_accepted:
        return _error(400, result.refusals[0].reason, refused=_refusals(result.refusals))
    return JsonResponse(
        {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "refused": _refusals(result.refusals),
        }
    )
