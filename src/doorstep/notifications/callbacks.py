"""Delivery reports: what a provider says became of a message after it took it.

Providers report late, twice, and out of order (a "sent" may arrive after "delivered"),
and a callback can be replayed by anyone who saw it. So a report only ever moves a row
forward from Sent, to Delivered or to Failed, and both of those are final: applying
the same report again, or an older one, changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from doorstep.notifications.models import DeliveryAttempt, Notification, NotificationState

MAX_ID_LENGTH = Notification._meta.get_field("provider_message_id").max_length or 200


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    IN_TRANSIT = "in_transit"  # queued, sent, deferred …: nothing the log does not know


class ReportResult(StrEnum):
    DELIVERED = "delivered"  # the row is now Delivered
    FAILED = "failed"  # the row is now Failed
    UNCHANGED = "unchanged"  # a duplicate, a late report, or news of nothing final
    UNKNOWN = "unknown"  # no message of ours has this provider id


@transaction.atomic
def record_delivery_report(
    *,
    provider_message_id: str,
    outcome: DeliveryOutcome,
    reason: str = "",
    at: datetime | None = None,
) -> ReportResult:
    """Apply a provider's report to the message it sent under `provider_message_id`.

    A failure's reason (the provider's error code and words) is written on the delivery
    attempt that handed the message over, so the log shows it next to that attempt.
    """
    if not _could_be_ours(provider_message_id):
        return ReportResult.UNKNOWN
    reason = reason.replace("\x00", "")  # PostgreSQL keeps no NUL in text
    rows = Notification.objects.filter(provider_message_id=provider_message_id)
    # One conditional UPDATE: two reports for the same message racing each other cannot
    # both apply, whatever order they commit in.
    if outcome == DeliveryOutcome.DELIVERED:
        changed = rows.filter(state=NotificationState.SENT).update(
            state=NotificationState.DELIVERED, delivered_at=at or timezone.now()
        )
        if changed:
            return ReportResult.DELIVERED
    elif outcome == DeliveryOutcome.FAILED:
        changed = rows.filter(state=NotificationState.SENT).update(state=NotificationState.FAILED)
        if changed:
            DeliveryAttempt.objects.filter(
                notification__provider_message_id=provider_message_id,
                provider_message_id=provider_message_id,
            ).update(error=(reason or "The provider reported the message undelivered.")[:2000])
            return ReportResult.FAILED
    return ReportResult.UNCHANGED if rows.exists() else ReportResult.UNKNOWN


def _could_be_ours(provider_message_id: str) -> bool:
    # A report's id comes from the outside: one no message could carry is nobody's, and
    # must not reach the database (PostgreSQL refuses NUL; the column holds 200).
    return 0 < len(provider_message_id) <= MAX_ID_LENGTH and "\x00" not in provider_message_id
