"""Background work of the shared pieces: forgetting old tombstones."""

from __future__ import annotations

from datetime import timedelta

from crontask import cron
from django.tasks import task
from django.utils import timezone

from doorstep.core.models import Deletion

# A sync that has not run for this long reads everything again: by then the tombstones
# would only grow the table.
DELETIONS_KEPT = timedelta(days=90)


@cron("41 3 * * *")
@task
def prune_old_deletions() -> int:
    """Delete the tombstones of records deleted more than DELETIONS_KEPT ago; how many."""
    deleted, _ = Deletion.objects.filter(deleted_at__lt=timezone.now() - DELETIONS_KEPT).delete()
    return deleted
