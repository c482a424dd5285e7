"""Tombstones of deleted records are kept for syncs, then forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crontask import scheduler
from django.utils import timezone

from doorstep.core import records
from doorstep.core.models import Deletion
from doorstep.core.tasks import DELETIONS_KEPT, prune_old_deletions
from doorstep.project import background
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_tombstones_older_than_ninety_days_are_pruned_daily() -> None:
    old, recent = AccountFactory(), AccountFactory()
    old_id, recent_id = old.pk, recent.pk
    records.delete(old)
    records.delete(recent)
    Deletion.objects.filter(record_id=old_id).update(
        deleted_at=timezone.now() - DELETIONS_KEPT - timedelta(minutes=1)
    )

    assert prune_old_deletions.call() == 1

    assert list(Deletion.objects.values_list("record_id", flat=True)) == [recent_id]
    background.load_periodic_tasks()
    jobs = {job.name: job for job in scheduler.get_jobs()}
    fields = {field.name: str(field) for field in jobs["prune_old_deletions"].trigger.fields}
    assert (fields["day"], fields["hour"]) == ("*", "3")
