"""How long the service history's files are kept, and that no file outlives its row.

A row that names files can go many ways: deleted by a service, by the back office, by the
API's sync, or with its visit, site, equipment or account through a cascade, which calls
no service. So the files go on `post_delete` of each row, when its transaction commits
(`files.delete_on_commit`): a rolled-back deletion keeps them. This is the one place the
history acts on a signal, because it is the only hook a cascade calls.

`DOORSTEP_HISTORY_RETENTION_DAYS` (unset: kept as long as the visit) makes a daily task
delete the photos, documents, reports and signature of visits completed longer ago; the
technician's written record stays (decision 0019).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.utils import timezone

from doorstep.history.files import delete_on_commit
from doorstep.history.models import Document, Photo, ServiceReport, VisitRecord
from doorstep.scheduling.models import Booking, BookingStatus

# The file fields of each model of the history.
FILE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Photo: ("file", "thumbnail", "original"),
    Document: ("file",),
    ServiceReport: ("file",),
    VisitRecord: ("signature",),
}


def _files_of_deleted_row(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    names = [str(getattr(instance, field).name or "") for field in FILE_FIELDS[sender]]
    delete_on_commit([name for name in names if name])


def connect() -> None:
    for model in FILE_FIELDS:
        post_delete.connect(
            _files_of_deleted_row, sender=model, dispatch_uid=f"history-files-{model.__name__}"
        )


def retention_days() -> int | None:
    """Days a completed visit's files are kept; None: as long as the visit."""
    value = getattr(settings, "DOORSTEP_HISTORY_RETENTION_DAYS", None)
    if value in (None, ""):
        return None
    return max(int(value), 0)


@transaction.atomic
def delete_old_files(*, days: int, now: datetime | None = None) -> int:
    """Delete the photos, documents, reports and signatures of visits completed more than
    `days` ago (their files go when this commits); the number of rows and signatures."""
    before = (now or timezone.now()) - timedelta(days=days)
    old_visits = Booking.objects.filter(status=BookingStatus.COMPLETED, completed_at__lt=before)
    deleted = 0
    for model in (Photo, Document):
        count, _ = model.objects.filter(booking__in=old_visits).delete()
        deleted += count
    # Newest first: a report is protected while the correction that names it exists.
    for report in ServiceReport.objects.filter(booking__in=old_visits).order_by("-version"):
        report.delete()
        deleted += 1
    records = VisitRecord.objects.filter(booking__in=old_visits).exclude(signature="")
    signatures = list(records.values_list("signature", flat=True))
    # The signer's name and time stay with the written record; only the image goes.
    deleted += records.update(signature="")
    delete_on_commit(signatures)
    return deleted
