"""Sending what the outbox holds: claim due rows, hand them to a provider, record the outcome.

Rows are claimed in short transactions (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so any
number of workers share the outbox without sending a row twice. A row claimed by a
worker that died is claimed again after CLAIM_TIMEOUT. A provider error is retried with
exponential backoff and jitter, up to MAX_ATTEMPTS, and then the row is failed.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape, format_html

from doorstep.access import invitations
from doorstep.access.models.visit_links import VisitLink
from doorstep.access.visit_links import (
    expire_now,
    hash_visit_code,
    issue_visit_link,
    visit_link_url,
)
from doorstep.configuration.models import PortalSettings
from doorstep.core import events, outbox
from doorstep.notifications import callbacks, reconcile
from doorstep.notifications.models import (
    Channel,
    DeliveryAttempt,
    MessageType,
    Notification,
    NotificationState,
)
from doorstep.notifications.placeholders import INVITATION_CODE, INVITATION_LINK, VISIT_LINK
from doorstep.notifications.sms import PermanentSendError, SmsMessage, get_sms_backend

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=5)
# How long one run of the sending task sends before it hands what is left to a new run:
# a worker asked to stop (a deploy, a restart) ends its run between two messages, well
# within the seconds a supervisor waits before it kills, instead of mid-message.
SENDING_TURN = timedelta(seconds=5)
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
BATCH_SIZE = 100


@dataclass(frozen=True)
class BatchResult:
    claimed: int
    sent: int
    retried: int
    failed: int
    released: int = 0  # handed back unsent when the turn ended


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """1, 2, 4, 8 … minutes after the attempt that failed, give or take a fifth."""
    return outbox.jittered(FIRST_RETRY * (2 ** max(attempts - 1, 0)), rng=rng)


def claim(
    *, worker: str, limit: int = BATCH_SIZE, now: datetime | None = None
) -> list[Notification]:
    """Take up to `limit` due rows for this worker; no other worker gets them."""
    now = now or timezone.now()
    due = Q(state=NotificationState.PENDING, next_attempt_at__lte=now) | Q(
        state=NotificationState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    ids = outbox.claim_due(
        Notification.objects.filter(due).order_by("next_attempt_at", "pk"),
        limit=limit,
        state=NotificationState.SENDING,
        claimed_by=worker,
        claimed_at=now,
    )
    return list(
        Notification.objects.filter(pk__in=ids)
        .select_related("booking__work_order__account", "contact")
        .order_by("next_attempt_at", "pk")
    )


def send_due(
    *,
    worker: str,
    limit: int = BATCH_SIZE,
    now: datetime | None = None,
    stop_at: float | None = None,
) -> BatchResult:
    """Claim one batch and send it over one reused email connection.

    Past `stop_at` (a `time.monotonic()` value) no further message is started, the first
    excepted, and the rows not sent are handed back at once for any worker to claim.
    """
    rows = claim(worker=worker, limit=limit, now=now)
    mailer = mail.mailers.default
    settled = reconcile.settle(rows=rows, worker=worker, mailer=mailer)
    # Rows to send again under the Message-ID of an unconfirmed attempt go first, and are
    # never handed back: claimed again, they would go out under a new one.
    to_send = sorted(settled.to_send, key=lambda row: row.pk not in settled.message_ids)
    sent, retried, failed, released = settled.already_sent, 0, 0, 0
    with _open(mailer):
        for index, row in enumerate(to_send):
            message_id = settled.message_ids.get(row.pk, "")
            if index and not message_id and stop_at is not None and time.monotonic() >= stop_at:
                released = _release(to_send[index:], worker=worker)
                break
            outcome = deliver(row, worker=worker, mailer=mailer, message_id=message_id)
            sent += outcome == NotificationState.SENT
            retried += outcome == NotificationState.PENDING
            failed += outcome == NotificationState.FAILED
    sent_ids = [r.provider_message_id for r in to_send if r.state == NotificationState.SENT]
    # Providers may have reported on some of these before their ids were recorded.
    callbacks.apply_early_reports(provider_message_ids=sent_ids)
    return BatchResult(
        claimed=len(rows), sent=sent, retried=retried, failed=failed, released=released
    )


def _release(rows: list[Notification], *, worker: str) -> int:
    """Hand back claimed rows this worker will not send now; how many."""
    return Notification.objects.filter(
        pk__in=[row.pk for row in rows], state=NotificationState.SENDING, claimed_by=worker
    ).update(state=NotificationState.PENDING, claimed_by="", claimed_at=None)


class _open:
    def __init__(self, mailer: object) -> None:
        self.mailer = mailer

    def __enter__(self) -> None:
        try:
            self.mailer.open()  # type: ignore[attr-defined]
        except Exception:
            logger.exception("Could not open the email connection; sends will retry")

    def __exit__(self, *exc: object) -> None:
        try:
            self.mailer.close()  # type: ignore[attr-defined]
        except Exception:
            logger.warning("Closing the email connection failed", exc_info=True)


def deliver(
    row: Notification,
    *,
    worker: str,
    mailer: object | None = None,
    message_id: str = "",
) -> str:
    """Send one claimed row and record the attempt; returns the row's new state."""
    message_id = message_id or reconcile.new_message_id(row.channel)
    mailer = mailer or mail.mailers.default
    tells_hand_over = row.channel == Channel.EMAIL and isinstance(mailer, reconcile.HandsOver)
    attempt = reconcile.begin_attempt(
        row=row, worker=worker, message_id=message_id, handed_over=not tells_hand_over
    )
    if attempt is None:  # another worker claimed the row after this one stalled
        return NotificationState.SENDING
    link_code = ""
    try:
        if row.message_type == MessageType.INVITATION:
            body, html = _with_invitation_code(row)
        else:
            body, html, link_code = _with_visit_link(row)
        if row.channel == Channel.EMAIL:
            hand_over = (
                functools.partial(reconcile.mark_handed_over, attempt=attempt)
                if tells_hand_over
                else None
            )
            provider_id = _send_email(
                row, body=body, html=html, mailer=mailer, message_id=message_id, hand_over=hand_over
            )
        else:
            provider_id = get_sms_backend().send(
                SmsMessage(to=row.address, body=body, sender=settings.SMS_FROM_NUMBER)
            )
    except Exception as error:  # any provider failure is retried, then reported
        if link_code:
            _withdraw_link(link_code)
        return _failed_attempt(row, attempt, error)
    reconcile.record_accepted(row=row, attempt=attempt, provider_message_id=provider_id)
    return NotificationState.SENT


def _failed_attempt(row: Notification, attempt: DeliveryAttempt, error: Exception) -> str:
    attempts = row.attempts + 1
    give_up = attempts >= MAX_ATTEMPTS or isinstance(error, PermanentSendError)
    state = NotificationState.FAILED if give_up else NotificationState.PENDING
    now = timezone.now()
    logger.warning("Sending notification %s failed (attempt %d): %s", row.pk, attempts, error)
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, succeeded=False, error=f"{type(error).__name__}: {error}"[:2000]
        )
        Notification.objects.filter(pk=row.pk).update(
            state=state,
            attempts=attempts,
            next_attempt_at=None if give_up else now + retry_delay(attempts),
            claimed_by="",
        )
        if give_up:
            events.publish(
                "notification.failed",
                notification_id=row.pk,
                booking_id=row.booking_id,
                channel=row.channel,
                message_type=row.message_type,
                error=f"{type(error).__name__}: {error}"[:300],
            )
    return state


def _with_visit_link(row: Notification) -> tuple[str, str, str]:
    """The body with a fresh visit link for this recipient, and the link's code."""
    if VISIT_LINK not in row.body or row.booking is None:
        return row.body, row.body_html, ""
    code = issue_visit_link(booking=row.booking, contact=row.contact, notification_id=row.pk)
    url = visit_link_url(code)
    anchor = format_html('<a dir="ltr" href="{}">{}</a>', url, url)
    return row.body.replace(VISIT_LINK, url), row.body_html.replace(VISIT_LINK, anchor), code


def _with_invitation_code(row: Notification) -> tuple[str, str]:
    """The invitation email with a code minted now, and its link, filled in.

    Only the code's hash is kept, on the invitation, so each email (a retry too) carries a
    new code and the latest one is the one that works.
    """
    code = invitations.mint_code(invitation_id=row.invitation_id or 0)
    link = invitations.invitation_link(code)
    body = row.body.replace(INVITATION_CODE, code).replace(INVITATION_LINK, link)
    # The email's button carries the link in its href: the address alone goes there. Where
    # the text shows the link, it is a link too, as in a visit message.
    href = f'href="{INVITATION_LINK}"'
    html = (
        row.body_html.replace(INVITATION_CODE, code)
        .replace(href, f'href="{escape(link)}"')
        .replace(INVITATION_LINK, format_html('<a dir="ltr" href="{}">{}</a>', link, link))
    )
    return body, html


def _withdraw_link(code: str) -> None:
    # The message did not go out, so nobody holds this link: end it rather than leave a
    # valid code behind for every failed attempt.
    link = VisitLink.objects.filter(code_hash=hash_visit_code(code)).first()
    if link is not None:
        expire_now(link=link)


def _send_email(
    row: Notification,
    *,
    body: str,
    html: str,
    mailer: object,
    message_id: str,
    hand_over: Callable[[], None] | None = None,
) -> str:
    # The sender's name and the reply-to in the recipient's language, as the text is.
    portal = PortalSettings.load().in_language(row.language or None)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=body,
        from_email=portal.email_from,
        to=[row.address],
        reply_to=portal.email_reply_to_addresses,
        headers={"Message-ID": message_id},
    )
    if html:
        message.attach_alternative(html, "text/html")
    if row.calendar:
        method = "CANCEL" if "METHOD:CANCEL" in row.calendar else "REQUEST"
        message.attach(
            f"visit-{row.booking.reference if row.booking else 'doorstep'}.ics",
            row.calendar,
            f"text/calendar; method={method}; charset=utf-8",
        )
    if hand_over is not None:
        mailer.hand_over = hand_over  # type: ignore[attr-defined]
    try:
        if not mailer.send_messages([message]):  # type: ignore[attr-defined]
            raise RuntimeError("The email backend accepted nothing.")
    finally:
        if hand_over is not None:
            mailer.hand_over = None  # type: ignore[attr-defined]
    status = getattr(message, "anymail_status", None)
    return str(getattr(status, "message_id", None) or message_id)
