"""Saving and deleting plain records the way every door must: checked first, at once."""

from __future__ import annotations

from datetime import datetime

from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from doorstep.core.models import Deletion


@transaction.atomic
def save_checked[Record: models.Model](record: Record) -> Record:
    """Check `record` like a back-office form would (fields, `clean()`, constraints) and
    save it; raise ValidationError and save nothing when something is wrong."""
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def delete(record: models.Model) -> None:
    """Delete `record` and what goes with it; ProtectedError when other records still need
    it (visits, say). Each deleted row is kept as a `Deletion`, for syncs."""
    collector = Collector(using=router.db_for_write(type(record)), origin=record)
    collector.collect([record])
    gone: list[Deletion] = []
    now = timezone.now()
    for model, rows in collector.data.items():
        gone += [deletion_of(model, row.pk, getattr(row, "external_id", ""), now) for row in rows]
    for queryset in collector.fast_deletes:  # cascades Django deletes without loading rows
        model = queryset.model
        has_external_id = any(field.name == "external_id" for field in model._meta.fields)
        fields = ("pk", "external_id") if has_external_id else ("pk",)
        for values in queryset.values_list(*fields):
            gone.append(deletion_of(model, values[0], values[1] if has_external_id else "", now))
    collector.delete()
    Deletion.objects.bulk_create(gone)


def deletion_of(model: type[models.Model], pk: object, external_id: str, now: datetime) -> Deletion:
    return Deletion(
        record_type=model._meta.label_lower,
        record_id=int(str(pk)),
        external_id=external_id or "",
        deleted_at=now,
    )
