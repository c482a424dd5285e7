from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from doorstep.webhooks import services
from doorstep.webhooks.models import WebhookEndpoint
from tests.webhooks.receiver import Receiver, running_receiver


@pytest.fixture
def allow_private(settings: Any) -> None:
    settings.DOORSTEP_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def endpoint(db: None, allow_private: None, receiver: Receiver) -> WebhookEndpoint:
    return services.save_endpoint(endpoint=WebhookEndpoint(url=receiver.url))
