"""What a location post is told, whichever way it came in: an HTTP status and a JSON object.

`answer()` turns what became of a request (`tracking.ingest.Outcome`) into its answer;
the Django views and the server's fast lane both send these (`api.ingest`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from doorstep.tracking.ingest import Job, Outcome, Refused
from doorstep.tracking.services import IngestResult, Refusal

logger = logging.getLogger("doorstep.api.ingest")

INVALID_KEY = (
    "The API key is not valid, has expired or been revoked, "
    "or does not allow sending positions (its scopes lack “tracking”)."
)


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


def answer(job: Job, outcome: Outcome) -> Answer:
    """What the sender of a processed job is told."""
    if outcome.refusal is Refused.INVALID_KEY:
        return error(401, INVALID_KEY)
    if outcome.refusal is Refused.TOO_MANY_UNKNOWN_DEVICES:
        return Answer(429, {"error": outcome.reason}, retry_after=outcome.retry_after)
    if job.kind == "osmand":
        return _received(job, outcome)
    if outcome.refusal is Refused.UNREADABLE:
        return error(400, outcome.reason)
    if outcome.refusal is Refused.UNKNOWN_TECHNICIAN or outcome.result is None:
        return error(404, outcome.reason)
    return _recorded(job, outcome.result)


def not_recorded(job: Job) -> Answer:
    # A JSON answer the sending app can read, whichever way the request came in.
    logger.exception("Could not record the positions of a %s request", job.kind)
    return error(500, "The positions could not be recorded: send them again later.")


def _received(job: Job, outcome: Outcome) -> Answer:
    """What Traccar Client is told of positions it could send: 200, whatever became of them.

    The app resends a position until it gets a 200, oldest first, so refusing one that
    can never be taken (a day old, out of order, a bogus fix) would hold back every
    position after it for good; such a refusal is logged instead. And the app sends no
    secret but its device id: were the answer to say what became of a position, or to
    tell an unknown id from a known one, ids could be tried one after another until one
    answered. So the answer is the same for a stored position, a refused one and an
    unknown device, and says only how many positions were read.
    """
    refusals = [*job.unreadable, *(outcome.result.refusals if outcome.result else ())]
    for refusal in refusals:
        logger.info("OsmAnd position of %r refused: %s", job.device_id, refusal.reason)
    return Answer(200, {"received": len(job.pings) + len(job.unreadable)})


def _recorded(job: Job, result: IngestResult) -> Answer:
    """What the sender of recorded (or refused) pings is told: 200 when every ping was
    stored or already known, 207 when some were refused, 400 when all were."""
    refusals = sorted(
        [*job.unreadable, *(Refusal(job.positions[r.index], r.reason) for r in result.refusals)],
        key=lambda refusal: refusal.index,
    )
    refused = [{"index": refusal.index, "reason": refusal.reason} for refusal in refusals]
    body = {"accepted": result.accepted, "duplicates": result.duplicates, "refused": refused}
    if result.accepted == 0 and result.duplicates == 0 and refusals:
        return error(400, "No position was accepted.", refused=refused)
    return Answer(207 if refused else 200, body)
