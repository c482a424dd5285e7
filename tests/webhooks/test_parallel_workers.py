"""Workers sharing the webhook outbox on PostgreSQL: each event reaches the receiver once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from doorstep.webhooks import outbox, sending, services
from doorstep.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.webhooks.receiver import Receiver

EVENTS = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_never_post_the_same_delivery_twice(
    allow_private: None, receiver: Receiver, settings: Any
) -> None:
    endpoint = services.save_endpoint(endpoint=WebhookEndpoint(url=receiver.url))
    for n in range(EVENTS):
        outbox.record_event(
            event_type="webhook.test",
            resource=f"test:{n}",
            data={"n": n},
            actor={"type": "system", "id": None},
            endpoints=[endpoint],
            now=timezone.now(),
        )

    def work(name: str) -> None:
        try:
            while sending.send_due(worker=name, limit=4).claimed:
                pass
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert len(receiver.ids()) == len(set(receiver.ids())) == EVENTS
    assert WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).count() == EVENTS
    assert WebhookAttempt.objects.count() == EVENTS
