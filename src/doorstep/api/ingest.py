"""Location ingest's door, whichever way a request arrives: what it says, and the answer.

Two kinds of request post positions:

- ``/api/v1/locations``: JSON pings from the technician app (signed in) or from an
  integration (an API key naming the technician);
- ``/api/v1/osmand``: the OsmAnd protocol of the Traccar Client apps, keyed by the
  technician's tracking device id.

A request with an API key has its key checked first (`check_key()`), so a body is
read only for a valid key. A request is then *read* (`read_locations()`,
`read_osmand()`): nothing but its own bytes, so a malformed request is answered without
touching the database, and no body of any size or shape makes reading fail: each
problem is a 400 with its reason. What can be read becomes a `tracking.ingest.Job`,
recorded in batches by `tracking.ingest.INGEST`; what became of it is turned into an
answer here (`answer()`). The Django views (`api.locations`) and the server's fast lane
(`api.fast_lane`) both do just this (`submit()`, `submit_async()`), so an answer does
not depend on the way the request came in.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict
from django.utils import timezone

from doorstep.access.api_keys import hash_key
from doorstep.api.answers import BUSY, INVALID_KEY, Answer, answer, error, not_recorded
from doorstep.api.osmand import (
    OsmAndFormatError,
    OsmAndRequest,
    in_utc,
    parse_json,
    parse_params,
    read_device_id,
)
from doorstep.core.group_commit import Busy
from doorstep.core.rate_limits import client_address
from doorstep.tracking.ingest import INGEST, Job, Outcome, Refused
from doorstep.tracking.models import PingSource
from doorstep.tracking.services import PingIn, Refusal
from doorstep.workforce.models import Resource

logger = logging.getLogger(__name__)

MAX_PINGS_PER_REQUEST = 1_000
EXAMPLE_TIME = "2025-05-01T09:30:00Z"
KEY_SCHEMES = ("bearer", "token")
LARGEST_TECHNICIAN_NUMBER = 2**63 - 1  # technicians' numbers are 64-bit integers
# A key accepted lately is taken as valid for reading its request at once; the batch
# checks it again anyway, so this only decides when a body is read, never what is stored.
KNOWN_KEY_SECONDS = 300.0
KNOWN_KEYS_HELD = 10_000


class Unreadable(ValueError):
    """A body that cannot be read; the message says why, for the sender."""


# --- API keys, checked before a body is read -------------------------------------------


class KnownKeys:
    """The API keys accepted lately, by their hash.

    A request with a key not among them has its key checked through the ingest's batch
    (`check_key()`) before its body is read, so an invalid or revoked key is answered 401
    without its body being parsed; one with a known key is read at once, which spares a
    second trip through the batch for nearly every request. The batch checks every
    request's key again when it records it: a revoked key is refused there and forgotten
    here, wherever it was still known.
    """

    def __init__(self, *, seconds: float, held: int) -> None:
        self.seconds = seconds
        self.held = held
        self._until: dict[str, float] = {}

    def knows(self, key: str) -> bool:
        until = self._until.get(hash_key(key))
        return until is not None and until > time.monotonic()

    def remember(self, key: str) -> None:
        if len(self._until) >= self.held:  # only valid keys get here: a few, in practice
            self._until.clear()
        self._until[hash_key(key)] = time.monotonic() + self.seconds

    def forget(self, key: str) -> None:
        self._until.pop(hash_key(key), None)

    def clear(self) -> None:
        self._until.clear()


KNOWN_KEYS = KnownKeys(seconds=KNOWN_KEY_SECONDS, held=KNOWN_KEYS_HELD)


def check_key(key: str) -> Answer | None:
    """None when a request with `key` may be read; its answer (401, or 503 when the
    ingest is busy) otherwise. A key accepted lately costs nothing."""
    if KNOWN_KEYS.knows(key):
        return None
    job = Job(kind="key", source=PingSource.API, key=key)
    try:
        return _key_checked(job, INGEST.submit(job))
    except Busy:
        return BUSY
    except Exception:
        return not_recorded(job)


async def check_key_async(key: str) -> Answer | None:
    """`check_key()` for the event loop."""
    if KNOWN_KEYS.knows(key):
        return None
    job = Job(kind="key", source=PingSource.API, key=key)
    try:
        return _key_checked(job, await INGEST.submit_async(job))
    except Busy:
        return BUSY
    except Exception:
        return not_recorded(job)


def _key_checked(job: Job, outcome: Outcome) -> Answer | None:
    _note_key(job, outcome)
    return error(401, INVALID_KEY) if outcome.refusal is Refused.INVALID_KEY else None


def _note_key(job: Job, outcome: Outcome) -> None:
    if job.key is None:
        return
    if outcome.refusal is Refused.INVALID_KEY:
        KNOWN_KEYS.forget(job.key)
    else:
        KNOWN_KEYS.remember(job.key)


# --- Reading ---------------------------------------------------------------------------


def client_of(meta: Mapping[str, Any]) -> str:
    """The network address a request (its WSGI environ, `request.META`) comes from."""
    return client_address(
        remote_addr=str(meta.get("REMOTE_ADDR", "")),
        forwarded_for=str(meta.get("HTTP_X_FORWARDED_FOR", "")),
    )


def _refuse_constant(name: str) -> float:
    raise Unreadable(f"The body is not valid JSON: {name} is not a number JSON allows.")


# One decoder for every body: json.loads() with an option builds a new one each call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def read_json(body: bytes) -> Any:
    """The JSON value of `body`; `Unreadable` with the reason when it has none.

    Depth is bounded by the parser's own limit (CPython's JSON decoder stops at its
    recursion limit): nothing walks the value past the fields it knows, so a deep value
    elsewhere costs its parse and nothing more. Integers are bounded by Python's limit
    on reading them (4,300 digits); larger ones that can be read are refused where they
    are used, as out of range.
    """
    try:
        # As json.loads() reads bytes: UTF-8, -16 or -32, told apart by their first bytes.
        return _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except Unreadable:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise Unreadable(f"The body is not valid JSON: {problem}.") from None
    except RecursionError:
        raise Unreadable("The body is nested too deeply to be read.") from None
    except ValueError:  # an integer longer than Python reads
        raise Unreadable("The body holds a number with too many digits to be read.") from None


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
        data = read_json(body)
    except Unreadable as problem:
        job.refused = str(problem)
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
    try:
        job.device_id = read_device_id(data.get("device_id"), name="device_id")
    except OsmAndFormatError as problem:
        return problem.message
    technician_id = data.get("technician_id")
    if technician_id is not None and technician_id != "":
        job.technician_id = _technician_number(technician_id)
        if job.technician_id is None:
            return "technician_id must be the technician's number."
        return ""
    if job.device_id:
        return ""
    return "Name the technician: send technician_id, or device_id (their tracking device id)."


def _technician_number(raw: object) -> int | None:
    """A technician's number, given as a JSON number or as digits; None when it is not one."""
    if isinstance(raw, str):
        text = raw.strip()
        # isdigit() alone takes "²" and other digits int() refuses.
        if not (text.isascii() and text.isdigit() and len(text) <= 19):
            return None
        raw = int(text)
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None
    return raw if 1 <= raw <= LARGEST_TECHNICIAN_NUMBER else None


def _number(ping: dict[str, Any], name: str, *, required: bool = False) -> float | None:
    value = ping.get(name)
    if value is None:
        if required:
            raise ValueError(f"{name} is missing.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number.")
    try:
        return float(value)
    except OverflowError:  # an integer too large for a float
        raise ValueError(f"{name} is out of range.") from None


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
    return in_utc(moment, name="recorded_at")


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


def read_osmand(
    *, method: str, query_string: str, content_type: str, body: bytes, client: str = ""
) -> Job | Answer:
    """A ``/api/v1/osmand`` request, in any of the shapes the Traccar Client apps send,
    from the network address `client`."""
    now = timezone.now()
    try:
        parsed = _osmand_request(
            method=method, query_string=query_string, content_type=content_type, body=body, now=now
        )
    except OsmAndFormatError as problem:
        return error(400, problem.message)
    except Unreadable as problem:
        return error(400, str(problem))
    except SuspiciousOperation as problem:  # too many form fields
        return error(400, f"The request cannot be read: {problem}")
    return Job(
        kind="osmand",
        source=PingSource.OSMAND,
        pings=parsed.pings,
        positions=list(range(len(parsed.pings))),
        unreadable=[Refusal(len(parsed.pings) + i, r) for i, r in enumerate(parsed.dropped)],
        device_id=parsed.device_id,
        client=client,
    )


def _osmand_request(
    *, method: str, query_string: str, content_type: str, body: bytes, now: datetime
) -> OsmAndRequest:
    body = body.strip()
    query = QueryDict(query_string)
    is_json = content_type == "application/json" or body[:1] in (b"{", b"[")
    if method == "POST" and is_json:
        data = read_json(body)
        fallback = query.get("id") or query.get("deviceid") or ""
        return parse_json(data, fallback_device_id=fallback, now=now)
    # Fields may be in the query string, in a form body, or both (query string first,
    # as Traccar reads them); a body is read as a form whatever its content type.
    params: dict[str, str] = {}
    if method == "POST" and body:
        params.update(QueryDict(body.decode("utf-8", "replace")).dict())
    params.update(query.dict())
    return parse_params(params, now=now)


# --- Recording -----------------------------------------------------------------------


def submit(job: Job) -> Answer:
    """Record the job through the group commit, on this thread's behalf; its answer."""
    try:
        outcome = INGEST.submit(job)
    except Busy:
        return BUSY
    except Exception:
        return not_recorded(job)
    _note_key(job, outcome)
    return answer(job, outcome)


async def submit_async(job: Job) -> Answer:
    """`submit()` for the event loop."""
    try:
        outcome = await INGEST.submit_async(job)
    except Busy:
        return BUSY
    except Exception:
        return not_recorded(job)
    _note_key(job, outcome)
    return answer(job, outcome)
