"""The pieces every outbox shares: messages (`notifications`) and webhooks (`webhooks`).

An outbox is a table of rows written in the transaction of the change that causes them,
then sent by workers. Workers claim due rows in a short transaction (`FOR UPDATE SKIP
LOCKED` on PostgreSQL), so any number of them share one outbox without sending a row
twice; a row claimed by a worker that died is due again once its claim is old. A row
that failed waits a jittered delay before its next attempt, so that a provider that was
down is not hit by every row at the same second when it comes back.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet


def claim_due(due: QuerySet[Any], *, limit: int, **claim: object) -> list[int]:
    """Mark up to `limit` of the `due` rows (in its order) with `claim`; their ids.

    Rows another worker is claiming at the same moment are skipped, not waited for.
    """
    with transaction.atomic():
        skip_locked = connection.features.has_select_for_update_skip_locked
        ids = list(
            due.select_for_update(skip_locked=skip_locked).values_list("pk", flat=True)[:limit]
        )
        model: type[Model] = due.model
        model._default_manager.filter(pk__in=ids).update(**claim)
    return ids


def jittered(
    delay: timedelta, *, spread: float = 0.2, rng: random.Random | None = None
) -> timedelta:
    """`delay`, give or take `spread` of it."""
    return delay * float((rng or random).uniform(1 - spread, 1 + spread))
