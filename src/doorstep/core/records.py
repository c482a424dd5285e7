"""Saving and deleting plain records the way every door must: checked first, at once."""

from __future__ import annotations

from collections.abc import Iterable
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


# Rows deleted with their parent that no sync mirrors, and that can be many: kept out of
# the tombstones (`untracked`).
_untracked: set[str] = set()


def untracked(model: type[models.Model]) -> None:
    """Write no `Deletion` for rows of `model` (called from its app's `ready()`)."""
    _untracked.add(model._meta.label_lower)


@transaction.atomic
def delete(record: models.Model) -> None:
    """Delete `record` and what goes with it; ProtectedError when other records still need
    it (visits, say). Each deleted row is kept as a `Deletion`, for syncs."""
    delete_all(type(record), [record])


@transaction.atomic
def delete_all[Record: models.Model](model: type[Record], records: Iterable[Record]) -> None:
    """`delete` for several records of one kind at once (a back-office selection)."""
    batch = list(records)
    if not batch:
        return
    origin = batch[0] if len(batch) == 1 else None
    collector = Collector(using=router.db_for_write(model), origin=origin)
    collector.collect(batch)
    gone: list[Deletion] = []
    now = timezone.now()
    for kind, rows in collector.data.items():
        if kind._meta.label_lower in _untracked:
            continue
        gone += [deletion_of(kind, row.pk, getattr(row, "external_id", ""), now) for row in rows]
    for queryset in collector.fast_deletes:  # cascades Django deletes without loading rows
        kind = queryset.model
        if kind._meta.label_lower in _untracked:
            continue
        has_external_id = any(field.name == "external_id" for field in kind._meta.fields)
        fields = ("pk", "external_id") if has_external_id else ("pk",)
        for values in queryset.values_list(*fields):
            gone.append(deletion_of(kind, values[0], values[1] if has_external_id else "", now))
    collector.delete()
    Deletion.objects.bulk_create(gone)


def deletion_of(model: type[models.Model], pk: object, external_id: str, now: datetime) -> Deletion:
    return Deletion(
        record_type=model._meta.label_lower,
        record_id=int(str(pk)),
        external_id=external_id or "",
        deleted_at=now,
    )
