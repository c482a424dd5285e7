"""Location ingest's door, whichever way a request arrives: what it says, and the answer.

Two kinds of request post positions:

- ``/api/v1/locations``: JSON pings from the technician app (signed in) or from an
  integration (an API key naming the technician);
- ``/api/v1/osmand``: the OsmAnd protocol of the Traccar Client apps, keyed by the
  technician's tracking device id.

A request is first *read* (`read_locations()`, `read_osmand()`): nothing but its own
bytes, so a malformed request is answered without touching the database. What can be
read becomes a `tracking.ingest.Job`, recorded in batches by `tracking.ingest.INGEST`;
what became of it is turned into an answer here (`answer()`). The Django views
(`api.locations`) and the server's fast lane (`api.fast_lane`) both do just this
(`submit()`, `submit_async()`), so an answer does not depend on the way the request came in.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict
from django.utils import timezone

from doorstep.api.osmand import OsmAndFormatError, OsmAndRequest, parse_json, parse_params
from doorstep.core.group_commit import Busy
from doorstep.tracking.ingest import INGEST, Job, Outcome, Refused
from doorstep.tracking.models import PingSource
from doorstep.tracking.services import IngestResult, PingIn, Refusal
from doorstep.workforce.models import Resource

logger = logging.getLogger(__name__)

MAX_PINGS_PER_REQUEST = 1_000
EXAMPLE_TIME = "2025-05-01T09:30:00Z"
KEY_SCHEMES = ("bearer", "token")
INVALID_KEY = "The API key is not valid or has been revoked."


@dataclass(frozen=True)
class Answer:
    """What the sender is told: an HTTP status and a JSON object."""

    status: int
    body: dict[str, Any]
    retry_after: int | None = None


def error(status: int, message: str, **extra: Any) -> Answer:
    return Answer(status, {"error": message, **extra})


BUSY = Answer(
    503,
    {"error": "Too many positions are arriving at once: send them again shortly."},
    retry_after=5,
)


# --- Reading ---------------------------------------------------------------------------


def key_from_header(authorization: str) -> str | None:
    """The key of ``Authorization: Bearer <key>`` (or ``Token``); "" when malformed, None
    when there is no header at all."""
    header = authorization.strip()
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() not in KEY_SCHEMES:
        return ""
    return key.strip()


def read_locations(
    body: bytes, *, technician: Resource | None = None, key: str | None = None
) -> Job:
    """A ``/api/v1/locations`` request of the signed-in `technician`, or of an API `key`."""
    job = Job(
        kind="locations",
        source=PingSource.APP if technician else PingSource.API,
        technician=technician,
        key=key,
    )
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        job.refused = f"The body is not valid JSON: {problem}."
        return job
    if not isinstance(data, dict):
        job.refused = "The body must be a JSON object with a list of pings."
        return job
    if technician is None:  # an integration, which names the technician
        job.refused = _name_technician(job, data)
        if job.refused:
            return job
    raw_pings = data.get("pings", [data])
    if not isinstance(raw_pings, list) or not 1 <= len(raw_pings) <= MAX_PINGS_PER_REQUEST:
        job.refused = f"pings must be a list of 1 to {MAX_PINGS_PER_REQUEST:,} pings."
        return job
    for index, raw in enumerate(raw_pings):
        try:
            job.pings.append(_ping(raw, device_id=job.device_id))
            job.positions.append(index)
        except ValueError as problem:
            job.unreadable.append(Refusal(index, str(problem)))
    return job


def _name_technician(job: Job, data: dict[str, Any]) -> str:
    job.device_id = str(data.get("device_id") or "").strip()
    technician_id = data.get("technician_id")
    if technician_id not in (None, ""):
        if isinstance(technician_id, bool) or not str(technician_id).isdigit():
            return "technician_id must be the technician's number."
        job.technician_id = int(technician_id)
        return ""
    if job.device_id:
        return ""
    return "Name the technician: send technician_id, or device_id (their tracking device id)."


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


def read_osmand(*, method: str, query_string: str, content_type: str, body: bytes) -> Job | Answer:
    """A ``/api/v1/osmand`` request, in any of the shapes the Traccar Client apps send."""
    now = timezone.now()
    try:
        parsed = _osmand_request(
            method=method, query_string=query_string, content_type=content_type, body=body, now=now
        )
    except OsmAndFormatError as problem:
        return error(400, problem.message)
    except SuspiciousOperation as problem:  # too many form fields
        return error(400, f"The request cannot be read: {problem}")
    return Job(
        kind="osmand",
        source=PingSource.OSMAND,
        pings=parsed.pings,
        positions=list(range(len(parsed.pings))),
        device_id=parsed.device_id,
    )


def _osmand_request(
    *, method: str, query_string: str, content_type: str, body: bytes, now: datetime
) -> OsmAndRequest:
    body = body.strip()
    query = QueryDict(query_string)
    is_json = content_type == "application/json" or body[:1] in (b"{", b"[")
    if method == "POST" and is_json:
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as problem:
            raise OsmAndFormatError(f"The body is not valid JSON: {problem}.") from None
        fallback = query.get("id") or query.get("deviceid") or ""
        return parse_json(data, fallback_device_id=fallback, now=now)
    # Fields may be in the query string, in a form body, or both (query string first,
    # as Traccar reads them); a body is read as a form whatever its content type.
    params: dict[str, str] = {}
    if method == "POST" and body:
        params.update(QueryDict(body.decode("utf-8", "replace")).dict())
    params.update(query.dict())
    return parse_params(params, now=now)


# --- Answering -------------------------------------------------------------------------


def answer(job: Job, outcome: Outcome) -> Answer:
    """What the sender of a processed job is told."""
    if outcome.refusal is Refused.INVALID_KEY:
        return error(401, INVALID_KEY)
    if outcome.refusal is Refused.UNREADABLE:
        return error(400, outcome.reason)
    if outcome.refusal is Refused.UNKNOWN_TECHNICIAN or outcome.result is None:
        return error(404, outcome.reason)
    return _recorded(job, outcome.result)


def submit(job: Job) -> Answer:
    """Record the job through the group commit, on this thread's behalf; its answer."""
    try:
        return answer(job, INGEST.submit(job))
    except Busy:
        return BUSY
    except Exception:
        return _not_recorded(job)


async def submit_async(job: Job) -> Answer:
    """`submit()` for the event loop."""
    try:
        return answer(job, await INGEST.submit_async(job))
    except Busy:
        return BUSY
    except Exception:
        return _not_recorded(job)


def _not_recorded(job: Job) -> Answer:
    # A JSON answer the sending app can read, whichever way the request came in.
    logger.exception("Could not record the positions of a %s request", job.kind)
    return error(500, "The positions could not be recorded: send them again later.")


def _recorded(job: Job, result: IngestResult) -> Answer:
    """What the sender of recorded (or refused) pings is told.

    The JSON API: 200 when every ping was stored or already known, 207 when some were
    refused, 400 when all were. Traccar Client: always 200, the refusals in the body.
    The app resends a position until it gets a 200, oldest first, so refusing one that
    can never be taken (a day old, out of order, a bogus fix) would hold back every
    position after it for good; such a refusal is logged instead.
    """
    refusals = sorted(
        [*job.unreadable, *(Refusal(job.positions[r.index], r.reason) for r in result.refusals)],
        key=lambda refusal: refusal.index,
    )
    refused = [{"index": refusal.index, "reason": refusal.reason} for refusal in refusals]
    body = {"accepted": result.accepted, "duplicates": result.duplicates, "refused": refused}
    if job.kind == "osmand":
        for refusal in refusals:
            logger.info("OsmAnd position of %r refused: %s", job.device_id, refusal.reason)
        return Answer(200, body)
    if result.accepted == 0 and result.duplicates == 0 and refusals:
        return error(400, "No position was accepted.", refused=refused)
    return Answer(207 if refused else 200, body)
