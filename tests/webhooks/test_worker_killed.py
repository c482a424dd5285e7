"""A `doorstep worker` killed with SIGKILL while a webhook is being posted loses nothing."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F

from doorstep.webhooks import outbox, sending, services
from doorstep.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from tests.notifications.test_worker_crash import start_worker, worker_database_url
from tests.project.test_command_line import clean_env
from tests.webhooks.receiver import Receiver

EVENTS = 10
KILLED_AT = 4  # the post during which the worker dies
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_post_loses_no_event(
    allow_private: None, receiver: Receiver, tmp_path: Path
) -> None:
    endpoint = services.save_endpoint(endpoint=WebhookEndpoint(url=receiver.url))
    for n in range(EVENTS):
        outbox.record_event(
            event_type="webhook.test",
            resource=f"test:{n}",
            data={"n": n},
            actor={"type": "system", "id": None},
            endpoints=[endpoint],
        )
    env = clean_env(
        tmp_path,
        DATABASE_URL=worker_database_url(),
        SECRET_KEY="tests-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        DOORSTEP_HTTPS="false",
        DOORSTEP_WEBHOOKS_ALLOW_PRIVATE="true",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        LOG_LEVEL="WARNING",
    )
    worker = start_worker(env)
    posts = Counter[str]()

    def kill_during_the_post(handler: Any) -> None:
        posts["seen"] += 1
        if posts["seen"] == KILLED_AT:
            # The receiver has the event; the worker dies before it hears the answer.
            os.kill(worker.pid, signal.SIGKILL)

    receiver.on_request = kill_during_the_post
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == -signal.SIGKILL, output
    receiver.on_request = None
    assert WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).count() < EVENTS

    # Past the claim timeout, another worker takes over what the dead one held.
    WebhookDelivery.objects.filter(state=DeliveryState.SENDING).update(
        claimed_at=F("claimed_at") - sending.CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    while sending.send_due(worker="second").claimed:
        pass

    ids = WebhookDelivery.objects.values_list("event_id", flat=True)
    assert set(receiver.ids()) == set(ids)
    assert WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).count() == EVENTS
    # The post cut short came again under its webhook-id, for the receiver to drop.
    again = [i for i, count in Counter(receiver.ids()).items() if count > 1]
    assert len(again) <= 1
