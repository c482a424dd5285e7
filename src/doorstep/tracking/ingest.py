"""Recording positions from any door: which technician they belong to, the checks, the batch.

The API's doors (`api.ingest` reads a request, `api.locations` and the server's fast lane
`api.fast_lane` answer it) turn each request into a `Job`. Jobs are *processed* in
batches (`process()`): the API keys, the technicians and the pings of every job of a
batch cost one query each, in one transaction, through `INGEST`, a group commit
(`core.group_commit`); the ETAs of the batch's technicians are refreshed after it
(`tracking.live.REFRESHER`). What became of each job is an `Outcome`, which the door
turns into its answer.

Traccar Client sends no secret but its device id, so device ids must not be found by
trying: a client address that named `DEVICE_MISSES_PER_WINDOW` unknown device ids in a
window is refused, whatever device it names, until the window ends. The counters
are in Django's cache (Redis when set, so shared by every process), read once a batch.
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from doorstep.access import api_keys
from doorstep.access.models import Scope
from doorstep.core.group_commit import GroupCommit
from doorstep.tracking.live import REFRESHER
from doorstep.tracking.services import IngestResult, PingBatch, PingIn, Refusal, record_batches
from doorstep.workforce.models import Resource

logger = logging.getLogger(__name__)

# A phone set up with a wrong id sends a position every few seconds, and its buffer
# after a tunnel; someone trying ids sends as fast as they can. Past this many unknown
# ids from one address in a window, every request from it waits for the next window:
# trying every six-digit id from one address then takes 23 days (16 minutes unlimited),
# every eight-digit one (Traccar Client's default) 6 years; a generated id, never.
DEVICE_MISSES_PER_WINDOW = 30
DEVICE_MISS_WINDOW_SECONDS = 60


@dataclass
class Job:
    """One request, read: its pings and who it says it comes from, not yet checked.

    A ``"key"`` job only asks whether its API key is valid, before its request is read.
    """

    kind: Literal["locations", "osmand", "key"]
    source: str
    pings: list[PingIn] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # each ping's place in the request
    unreadable: list[Refusal] = field(default_factory=list)
    technician: Resource | None = None  # already known: the signed-in technician
    key: str | None = None  # the API key presented, "" for a malformed header
    technician_id: int | None = None
    device_id: str = ""  # names the technician when technician_id is not given
    refused: str = ""  # why the request cannot be read, told once its key is accepted
    client: str = ""  # the network address it came from, for the limit on unknown devices


class Refused(enum.Enum):
    INVALID_KEY = "invalid key"
    UNREADABLE = "unreadable"
    UNKNOWN_TECHNICIAN = "unknown technician"
    TOO_MANY_UNKNOWN_DEVICES = "too many unknown devices"


@dataclass(frozen=True)
class Outcome:
    """What became of one job: refused whole (and why), or its pings recorded or refused."""

    refusal: Refused | None = None
    reason: str = ""
    result: IngestResult | None = None
    retry_after: int | None = None  # seconds, when refused for a while


# --- Processing ------------------------------------------------------------------------


def process(jobs: Sequence[Job]) -> list[Outcome]:
    """Check the keys, find the technicians and record the pings of many jobs at once."""
    now = timezone.now()
    keys = {
        key: api_key
        for key, api_key in api_keys.authenticate_keys(
            keys={job.key for job in jobs if job.key is not None}, now=now
        ).items()
        if api_key.allows(Scope.TRACKING)
    }
    window = miss_window(now)
    waiting = _clients_waiting(jobs, window=window, now=now)
    technicians = _technicians(
        [job for job in jobs if not (job.kind == "osmand" and job.client in waiting)]
    )
    outcomes: list[Outcome | None] = []
    batches: list[PingBatch] = []
    recorded: list[int | None] = []  # which jobs the batches are; None: only refusals
    for index, job in enumerate(jobs):
        checked = _check(job, keys, technicians, waiting)
        if isinstance(checked, Outcome):
            outcomes.append(checked)
            refused = _refused_request(job, checked, technicians)
            if refused is not None:
                batches.append(refused)
                recorded.append(None)
        else:
            outcomes.append(None)
            batches.append(
                PingBatch(
                    checked,
                    job.pings,
                    job.source,
                    unreadable=[refusal.reason for refusal in job.unreadable],
                    device_id=job.device_id,
                )
            )
            recorded.append(index)
    if batches:
        for job_index, result in zip(recorded, record_batches(batches, now=now), strict=True):
            if job_index is not None:
                outcomes[job_index] = Outcome(result=result)
    _count_misses(jobs, outcomes, window=window)
    return [outcome for outcome in outcomes if outcome is not None]


def miss_window(now: datetime) -> int:
    return int(now.timestamp()) // DEVICE_MISS_WINDOW_SECONDS


def misses_key(client: str, window: int) -> str:
    """The cache key counting the unknown device ids `client` named in `window`."""
    return f"osmand-device-misses:{client}:{window}"


def _clients_waiting(jobs: Sequence[Job], *, window: int, now: datetime) -> dict[str, int]:
    """The addresses of the OsmAnd jobs that named too many unknown devices in this window,
    each with the seconds left until it ends: one cache read for the whole batch."""
    clients = {job.client for job in jobs if job.kind == "osmand"}
    if not clients:
        return {}
    try:
        counts = cache.get_many([misses_key(client, window) for client in clients])
    except Exception:  # the limit spares guessing, it is not what keeps the data apart
        logger.exception("The unknown device counters cannot be read; nobody waits")
        return {}
    left = (window + 1) * DEVICE_MISS_WINDOW_SECONDS - int(now.timestamp())
    return {
        client: left
        for client in clients
        if int(counts.get(misses_key(client, window)) or 0) >= DEVICE_MISSES_PER_WINDOW
    }


def _count_misses(jobs: Sequence[Job], outcomes: Sequence[Outcome | None], *, window: int) -> None:
    misses = Counter(
        job.client
        for job, outcome in zip(jobs, outcomes, strict=True)
        if job.kind == "osmand"
        and outcome is not None
        and outcome.refusal is Refused.UNKNOWN_TECHNICIAN
    )
    for client, count in misses.items():  # rare: a phone with a wrong id, or a guesser
        key = misses_key(client, window)
        try:
            try:
                if not cache.add(key, count, timeout=DEVICE_MISS_WINDOW_SECONDS + 1):
                    cache.incr(key, count)
            except ValueError:  # expired between add() and incr()
                cache.set(key, count, timeout=DEVICE_MISS_WINDOW_SECONDS + 1)
        except Exception:
            logger.exception("The unknown device counter of %s cannot be written", client)


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
    job: Job,
    keys: Mapping[str, object],
    technicians: dict[tuple[str, object], Resource],
    waiting: Mapping[str, int],
) -> Resource | Outcome:
    """The technician whose pings the job brings, or why none of them is recorded."""
    if job.key is not None and job.key not in keys:
        return Outcome(refusal=Refused.INVALID_KEY)
    if job.kind == "key":
        return Outcome()  # the key is valid: its request may be read
    if job.kind == "osmand" and job.client in waiting:
        return Outcome(
            refusal=Refused.TOO_MANY_UNKNOWN_DEVICES,
            reason=f"Too many requests from this network address named a tracking device id "
            f"that no technician has: send again in {waiting[job.client]} seconds.",
            retry_after=waiting[job.client],
        )
    if job.refused:
        return Outcome(refusal=Refused.UNREADABLE, reason=job.refused)
    technician = job.technician or _technician_of(job, technicians)
    return technician if technician is not None else _unknown(job)


def _refused_request(
    job: Job, outcome: Outcome, technicians: dict[tuple[str, object], Resource]
) -> PingBatch | None:
    """A request of a known technician that could not be read, to be kept among their
    refused positions (in the same transaction as the batch's pings); None otherwise.

    Only requests that name a technician who exists, with a valid key or signed in as
    them: refusals of unknown devices are logged, never stored, or anyone could fill the
    table.
    """
    if outcome.refusal is not Refused.UNREADABLE:
        return None
    technician = job.technician or _technician_of(job, technicians)
    if technician is None:
        return None
    return PingBatch(
        technician, [], job.source, unreadable=[outcome.reason], device_id=job.device_id
    )


def _unknown(job: Job) -> Outcome:
    """The refusal of a job whose technician is not found: why, for the sender."""
    if job.kind == "osmand":
        # The sender is not told this (`api.ingest` answers as for a refused position).
        logger.info("OsmAnd position from unknown device %r (%s)", job.device_id, job.client)
        reason = f"No technician has the tracking device id “{job.device_id}”."
    elif job.technician_id is not None:
        reason = f"No technician has the number {job.technician_id}."
    else:
        reason = f"No technician has the tracking device id “{job.device_id}”."
    return Outcome(refusal=Refused.UNKNOWN_TECHNICIAN, reason=reason)


# At 200 pings a second, 20 ms gathers four or five requests per transaction, which
# divides the work of each by three; a phone does not notice 20 ms.
LINGER_SECONDS = 0.020

INGEST: GroupCommit[Job, Outcome] = GroupCommit(
    process, name="ping-ingest", linger=LINGER_SECONDS, after=REFRESHER.run_pending
)
"""Started by `doorstep serve`; until then, each job is processed in its caller's thread."""
