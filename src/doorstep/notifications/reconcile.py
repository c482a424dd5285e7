"""Settling rows a stopped worker may have half-sent, so a crash never sends a message twice.

A worker can die after it handed a message to the provider and before it recorded that
it did. The row is then claimed again after CLAIM_TIMEOUT, and a plain retry would send
it a second time. Three records close most of that gap:

1. `begin_attempt`, before the hand-over, commits the attempt together with the id the
   message will carry (the email's Message-ID). It also renews the row's claim, and only
   while this worker still holds it: a worker that stalled past CLAIM_TIMEOUT lost the
   row to another worker and must not send it as well.
2. `mark_handed_over`, as the last of the message leaves: a backend that can tell that
   moment (`HandsOver`: the project's SMTP backend, just before the line that ends the
   message, which is when a mail server takes responsibility for it) calls it there.
   A crash before it sent nothing. Other backends are marked handed over from the start.
3. `record_accepted`, the moment the provider says yes, in one statement on the attempt,
   before anything else is written or sent.

`settle`, when a batch is claimed, finds the attempts a stopped worker left on its rows:
accepted, and the row not yet marked sent → the row is recorded as sent;
cut short before the hand-over → the row is sent again, as any retry;
cut short after it → the provider is asked (a `ProviderLookup`):
   accepted → recorded as sent, nothing goes out again;
   never received → sent again;
   cannot tell → sent again with the same Message-ID, so that mailbox providers which
   drop repeated Message-IDs show it once; the log says so.

Plain SMTP and the SMS backends shipped cannot be asked, so for them a crash between
the end of the message and the record of the server's answer can still lead to a second
copy: see docs/decisions/0011-exactly-once-email.md. A mail or SMS backend that can be
asked implements `look_up` and is used for it without any setting.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import make_msgid
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doorstep.notifications.callbacks import apply_early_reports
from doorstep.notifications.models import (
    Channel,
    DeliveryAttempt,
    Notification,
    NotificationState,
)
from doorstep.notifications.sms import get_sms_backend


class ProviderAnswer(enum.Enum):
    ACCEPTED = "accepted"
    NEVER_RECEIVED = "never received"
    UNKNOWN = "cannot tell"


@runtime_checkable
class ProviderLookup(Protocol):
    def look_up(self, message_id: str) -> ProviderAnswer:
        """Whether the provider accepted the message sent with this id."""
        ...


class NoLookup:
    """For providers that cannot be asked, such as a plain SMTP server."""

    def look_up(self, message_id: str) -> ProviderAnswer:
        return ProviderAnswer.UNKNOWN


@runtime_checkable
class HandsOver(Protocol):
    """A backend that calls `hand_over`, when set, just before the last of a message
    leaves for the provider."""

    hand_over: Callable[[], None] | None


def lookup_for(backend: object) -> ProviderLookup:
    """The backend itself when it can answer `look_up`, else one that cannot tell."""
    return backend if isinstance(backend, ProviderLookup) else NoLookup()


def new_message_id(channel: str) -> str:
    """The id the message will carry, known before the hand-over: an email's Message-ID.

    Text messages get their id from the provider only once sent, so they have none yet.
    """
    if channel != Channel.EMAIL:
        return ""
    return make_msgid(domain=urlsplit(settings.DOORSTEP_BASE_URL).hostname or "doorstep")


def begin_attempt(
    *,
    row: Notification,
    worker: str,
    message_id: str,
    handed_over: bool = True,
    now: datetime | None = None,
) -> DeliveryAttempt | None:
    """Record, before the hand-over, that `worker` is about to send `row` with `message_id`.

    `handed_over=False` when the backend will say itself when the message leaves
    (`HandsOver`); otherwise the attempt counts as handed over from the start.
    Commits at once (when not called inside a transaction), so a worker killed during the
    hand-over leaves the id behind for `settle`. Returns None, and records nothing, when
    the row is no longer this worker's.
    """
    now = now or timezone.now()
    # Two statements, no transaction: a crash between them leaves a renewed claim and no
    # attempt, which is right, since nothing was handed over.
    held = Notification.objects.filter(
        pk=row.pk, state=NotificationState.SENDING, claimed_by=worker
    ).update(claimed_at=now)
    if not held:
        return None
    return DeliveryAttempt.objects.create(
        notification=row,
        started_at=now,
        handed_over_at=now if handed_over else None,
        worker=worker,
        provider_message_id=message_id,
    )


def mark_handed_over(*, attempt: DeliveryAttempt) -> None:
    """The last of the attempt's message is about to leave: from here a crash cannot tell."""
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(handed_over_at=timezone.now())


def record_accepted(
    *, row: Notification, attempt: DeliveryAttempt, provider_message_id: str
) -> None:
    """The provider took the message: record it, the attempt first.

    The attempt's one UPDATE is what ends the window in which a crash cannot tell, so it
    comes before anything else; a crash before the row's own UPDATE leaves an accepted
    attempt on a row still Sending, which `settle` records as sent. The sender applies
    reports that came before this moment once its batch is done (`apply_early_reports`).
    """
    finished = timezone.now()
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=finished, succeeded=True, provider_message_id=provider_message_id
    )
    Notification.objects.filter(pk=row.pk).update(
        state=NotificationState.SENT,
        attempts=row.attempts + 1,
        provider_message_id=provider_message_id,
        sent_at=finished,
        claimed_by="",
    )
    row.state, row.provider_message_id = NotificationState.SENT, provider_message_id


@dataclass(frozen=True)
class Settled:
    to_send: list[Notification]
    # Rows to send again with the Message-ID of the attempt the provider could not confirm.
    message_ids: dict[int, str] = field(default_factory=dict)
    already_sent: int = 0


def settle(
    *, rows: list[Notification], worker: str, mailer: object, now: datetime | None = None
) -> Settled:
    """Close the attempts stopped workers left on these claimed rows; say what to send.

    One query when no worker stopped mid-attempt, which is every batch but those after a crash.
    """
    left: dict[int, list[DeliveryAttempt]] = {}
    for attempt in DeliveryAttempt.objects.filter(
        Q(finished_at__isnull=True) | Q(succeeded=True), notification__in=[row.pk for row in rows]
    ).order_by("started_at", "pk"):
        left.setdefault(attempt.notification_id, []).append(attempt)
    if not left:
        return Settled(to_send=rows)

    now = now or timezone.now()
    lookups: dict[str, ProviderLookup] = {}
    to_send: list[Notification] = []
    message_ids: dict[int, str] = {}
    already_sent = 0
    for row in rows:
        attempts = left.get(row.pk)
        if not attempts:
            to_send.append(row)
            continue
        if row.channel not in lookups:
            backend = mailer if row.channel == Channel.EMAIL else get_sms_backend()
            lookups[row.channel] = lookup_for(backend)
        answers = {attempt.pk: _answer(attempt, lookups[row.channel]) for attempt in attempts}
        accepted = [a for a in attempts if answers[a.pk] == ProviderAnswer.ACCEPTED]
        if _close(
            row, attempts, answers, worker=worker, accepted=next(iter(accepted), None), now=now
        ):
            already_sent += 1
            continue
        unconfirmed = [
            a.provider_message_id
            for a in attempts
            if answers[a.pk] == ProviderAnswer.UNKNOWN and a.provider_message_id
        ]
        if unconfirmed:
            message_ids[row.pk] = unconfirmed[-1]
        to_send.append(row)
    return Settled(to_send=to_send, message_ids=message_ids, already_sent=already_sent)


def _answer(attempt: DeliveryAttempt, lookup: ProviderLookup) -> ProviderAnswer:
    if attempt.succeeded:
        return ProviderAnswer.ACCEPTED  # its worker recorded the answer, then stopped
    if attempt.handed_over_at is None:
        return ProviderAnswer.NEVER_RECEIVED  # stopped before the end of the message
    if not attempt.provider_message_id:
        return ProviderAnswer.UNKNOWN
    return lookup.look_up(attempt.provider_message_id)


def _close(
    row: Notification,
    attempts: list[DeliveryAttempt],
    answers: dict[int, ProviderAnswer],
    *,
    worker: str,
    accepted: DeliveryAttempt | None,
    now: datetime,
) -> bool:
    """Finish the open attempts; record the row as sent if one of them got through.

    Returns whether the row is settled as sent. An attempt cut short by a crash is not a
    provider error, so it does not count towards the row's attempts unless it got through.
    """
    with transaction.atomic():
        for attempt in attempts:
            if attempt.finished_at is not None:
                continue  # accepted, and recorded so by its worker
            got_through = attempt is accepted
            DeliveryAttempt.objects.filter(pk=attempt.pk).update(
                finished_at=now,
                succeeded=got_through,
                error="" if got_through else f"The worker stopped ({answers[attempt.pk].value}).",
            )
        if accepted is None:
            return False
        settled = bool(
            Notification.objects.filter(
                pk=row.pk, state=NotificationState.SENDING, claimed_by=worker
            ).update(
                state=NotificationState.SENT,
                attempts=row.attempts + 1,
                provider_message_id=accepted.provider_message_id,
                sent_at=accepted.finished_at or accepted.started_at,
                claimed_by="",
            )
        )
    if settled:
        apply_early_reports(provider_message_ids=[accepted.provider_message_id])
    return settled
