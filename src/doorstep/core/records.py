"""Saving and deleting plain records the way every door must: checked first, at once."""

from __future__ import annotations

from django.db import models, transaction


@transaction.atomic
def save_checked[Record: models.Model](record: Record) -> Record:
    """Check `record` like a back-office form would (fields, `clean()`, constraints) and
    save it; raise ValidationError and save nothing when something is wrong."""
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def delete(record: models.Model) -> None:
    """Delete `record`; ProtectedError when other records still need it (visits, say)."""
    record.delete()
