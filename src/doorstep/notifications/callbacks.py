"""Delivery reports: what a provider says became of a message after it took it.

Providers report late, twice, out of order (a "sent" may arrive after "delivered"), and
early (before the sender has recorded the id the provider gave the message), and a
callback can be replayed by anyone who saw it. So a report only ever moves a row
forward from Sent, to Delivered or to Failed, and both of those are final: applying
the same report again, or an older one, changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from doorstep.notifications.models import (
    DeliveryAttempt,
    EarlyDeliveryReport,
    Notification,
    NotificationState,
)

MAX_ID_LENGTH = Notification._meta.get_field("provider_message_id").max_length or 200


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    IN_TRANSIT = "in_transit"  # queued, sent, deferred …: nothing the log does not know


class ReportResult(StrEnum):
    DELIVERED = "delivered"  # the row is now Delivered
    FAILED = "failed"  # the row is now Failed
    UNCHANGED = "unchanged"  # a duplicate, a late report, or news of nothing final
    UNKNOWN = "unknown"  # no message of ours can have this provider id
    KEPT = "kept"  # no message has this id yet: applied if one is recorded with it


def record_delivery_report(
    *,
    provider_message_id: str,
    outcome: DeliveryOutcome,
    reason: str = "",
    at: datetime | None = None,
) -> ReportResult:
    """Apply a provider's report to the message it sent under `provider_message_id`.

    A failure's reason (the provider's error code and words) is written on the delivery
    attempt that handed the message over, so the log shows it next to that attempt. A
    final report about an id no message carries yet is kept, and applied once a message
    is recorded as sent with that id (`apply_early_reports`): a provider can report
    before the worker that handed the message over has committed the id it was given.
    """
    if not _could_be_ours(provider_message_id):
        return ReportResult.UNKNOWN
    reason = reason.replace("\x00", "")  # PostgreSQL keeps no NUL in text
    result = _apply(provider_message_id=provider_message_id, outcome=outcome, reason=reason, at=at)
    if result != ReportResult.UNKNOWN or outcome == DeliveryOutcome.IN_TRANSIT:
        return result
    EarlyDeliveryReport.objects.create(
        provider_message_id=provider_message_id,
        outcome=outcome,
        reason=reason,
        reported_at=at,
        received_at=timezone.now(),
    )
    # The worker may have recorded the id after the look-up above, and looked for early
    # reports before this one was written: look again now that it is. Whichever of the two
    # looks last sees both rows, so the report is never lost between them.
    again = apply_early_reports(provider_message_ids=[provider_message_id])
    return again.get(provider_message_id, ReportResult.KEPT)


def apply_early_reports(*, provider_message_ids: Collection[str]) -> dict[str, ReportResult]:
    """Apply the reports kept for these ids, now that messages carry them; what each did.

    The sender calls it once a batch is recorded as sent: one query when nothing waits.
    An id still on no message keeps its reports.
    """
    waiting: dict[str, list[EarlyDeliveryReport]] = {}
    if provider_message_ids:
        for report in EarlyDeliveryReport.objects.filter(
            provider_message_id__in=list(provider_message_ids)
        ):
            waiting.setdefault(report.provider_message_id, []).append(report)
    applied: dict[str, ReportResult] = {}
    for provider_message_id, reports in waiting.items():
        results = [
            _apply(
                provider_message_id=provider_message_id,
                outcome=DeliveryOutcome(report.outcome),
                reason=report.reason,
                at=report.reported_at,
            )
            for report in reports
        ]
        if ReportResult.UNKNOWN in results:
            continue
        EarlyDeliveryReport.objects.filter(pk__in=[report.pk for report in reports]).delete()
        final = [result for result in results if result != ReportResult.UNCHANGED]
        applied[provider_message_id] = final[0] if final else ReportResult.UNCHANGED
    return applied


def settle_early_reports(*, received_before: datetime) -> tuple[int, int]:
    """Apply kept reports whose message now carries their id (its sender stopped before it
    looked), then drop those kept since before `received_before`; how many of each."""
    kept = set(EarlyDeliveryReport.objects.values_list("provider_message_id", flat=True))
    applied = apply_early_reports(provider_message_ids=kept)
    forgotten, _ = EarlyDeliveryReport.objects.filter(received_at__lt=received_before).delete()
    return len(applied), forgotten


@transaction.atomic
def _apply(
    *, provider_message_id: str, outcome: DeliveryOutcome, reason: str, at: datetime | None
) -> ReportResult:
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
