"""Recording positions from any door: which technician they belong to, the checks, the batch.

The API's doors (`api.ingest` reads a request, `api.locations` and the server's fast lane
`api.fast_lane` answer it) turn each request into a `Job`. Jobs are *processed* in
batches (`process()`): the API keys, the technicians and the pings of every job of a
batch cost one query each, in one transaction, through `INGEST`, a group commit
(`core.group_commit`); the ETAs of the batch's technicians are refreshed after it
(`tracking.live.REFRESHER`). What became of each job is an `Outcome`, which the door
turns into its answer.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Q
from django.utils import timezone

from doorstep.access import api_keys
from doorstep.core.group_commit import GroupCommit
from doorstep.tracking.live import REFRESHER
from doorstep.tracking.services import IngestResult, PingBatch, PingIn, Refusal, record_batches
from doorstep.workforce.models import Resource

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """One request, read: its pings and who it says it comes from, not yet checked."""

    kind: Literal["locations", "osmand"]
    source: str
    pings: list[PingIn] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # each ping's place in the request
    unreadable: list[Refusal] = field(default_factory=list)
    technician: Resource | None = None  # already known: the signed-in technician
    key: str | None = None  # the API key presented, "" for a malformed header
    technician_id: int | None = None
    device_id: str = ""  # names the technician when technician_id is not given
    refused: str = ""  # why the request cannot be read, told once its key is accepted


class Refused(enum.Enum):
    INVALID_KEY = "invalid key"
    UNREADABLE = "unreadable"
    UNKNOWN_TECHNICIAN = "unknown technician"


@dataclass(frozen=True)
class Outcome:
    """What became of one job: refused whole (and why), or its pings recorded or refused."""

    refusal: Refused | None = None
    reason: str = ""
    result: IngestResult | None = None


# --- Processing ------------------------------------------------------------------------


def process(jobs: Sequence[Job]) -> list[Outcome]:
    """Check the keys, find the technicians and record the pings of many jobs at once."""
    now = timezone.now()
    keys = api_keys.authenticate_keys(
        keys={job.key for job in jobs if job.key is not None}, now=now
    )
    technicians = _technicians(jobs)
    outcomes: list[Outcome | None] = []
    batches: list[PingBatch] = []
    recorded: list[int] = []  # which jobs the batches are
    for index, job in enumerate(jobs):
        checked = _check(job, keys, technicians)
        if isinstance(checked, Outcome):
            outcomes.append(checked)
        else:
            outcomes.append(None)
            batches.append(PingBatch(checked, job.pings, job.source))
            recorded.append(index)
    if batches:
        for index, result in zip(recorded, record_batches(batches, now=now), strict=True):
            outcomes[index] = Outcome(result=result)
    return [outcome for outcome in outcomes if outcome is not None]


def _technicians(jobs: Sequence[Job]) -> dict[tuple[str, object], Resource]:
    ids = {job.technician_id for job in jobs if job.technician is None and job.technician_id}
    devices = {
        job.device_id
        for job in jobs
        if job.technician is None and job.technician_id is None and job.device_id
    }
    if not ids and not devices:
        return {}
    found: dict[tuple[str, object], Resource] = {}
    for technician in Resource.objects.filter(Q(pk__in=ids) | Q(tracking_device_id__in=devices)):
        found["id", technician.pk] = technician
        if technician.tracking_device_id:
            found["device", technician.tracking_device_id] = technician
    return found


def _technician_of(job: Job, technicians: dict[tuple[str, object], Resource]) -> Resource | None:
    if job.technician_id is not None:
        return technicians.get(("id", job.technician_id))
    return technicians.get(("device", job.device_id))


def _check(
    job: Job, keys: Mapping[str, object], technicians: dict[tuple[str, object], Resource]
) -> Resource | Outcome:
    """The technician whose pings the job brings, or why none of them is recorded."""
    if job.key is not None and job.key not in keys:
        return Outcome(refusal=Refused.INVALID_KEY)
    if job.refused:
        return Outcome(refusal=Refused.UNREADABLE, reason=job.refused)
    technician = job.technician or _technician_of(job, technicians)
    if technician is not None:
        return technician
    if job.kind == "osmand":
        logger.info("OsmAnd position from unknown device %r", job.device_id)
        return Outcome(
            refusal=Refused.UNKNOWN_TECHNICIAN,
            reason=f"No technician has the tracking device id “{job.device_id}”: "
            "set it on the technician in the back office.",
        )
    if job.technician_id is not None:
        return Outcome(
            refusal=Refused.UNKNOWN_TECHNICIAN,
            reason=f"No technician has the number {job.technician_id}.",
        )
    return Outcome(
        refusal=Refused.UNKNOWN_TECHNICIAN,
        reason=f"No technician has the tracking device id “{job.device_id}”.",
    )


# At 200 pings a second, 20 ms gathers four or five requests per transaction, which
# divides the work of each by three; a phone does not notice 20 ms.
LINGER_SECONDS = 0.020

INGEST: GroupCommit[Job, Outcome] = GroupCommit(
    process, name="ping-ingest", linger=LINGER_SECONDS, after=REFRESHER.run_pending
)
"""Started by `doorstep serve`; until then, each job is processed in its caller's thread."""
