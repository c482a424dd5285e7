"""What the two outbox benchmarks share (`sending` for messages, `webhooks`): the server
that receives what a worker sends, in its own process as a real one would be (so the two
do not share this process's interpreter lock), and a customer whose work orders wait for
their visits."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from bench.serving import free_port

START = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


class Receiver:
    """`script` run by this Python with a free port as its argument. The script prints
    "ready" once it listens, and when its input closes prints one line of results and
    exits. Use as a context manager; `result` is that line once the block is left."""

    def __init__(self, script: str) -> None:
        self.script = script
        self.port = free_port()
        self.result = ""
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Receiver:
        self.process = subprocess.Popen(  # noqa: S603 (our own script, run by this Python)
            [sys.executable, "-c", self.script, str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.process.kill()
            raise RuntimeError(f"the receiver did not start: {ready!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        output, _ = self.process.communicate(input="", timeout=30)
        self.result = output.strip().splitlines()[-1] if output.strip() else ""


@dataclass(frozen=True)
class Customer:
    account: Any
    service: Any
    technician: Any
    work_orders: list[Any]


@transaction.atomic
def customer_with_work_orders(count: int, *, numbers: str, contact: bool = False) -> Customer:
    """One account in Denver (with a contact who wants email, if `contact`), a boiler
    service, a technician, and `count` work orders numbered `WO-{numbers}000000` on."""
    from doorstep.catalog.models import IncidentType
    from doorstep.customers.models import Account, Contact
    from doorstep.scheduling.models import WorkOrder
    from doorstep.workforce.models import Resource

    account = Account.objects.create(
        name="Bench customer",
        address_line1="1 Bench Street",
        city="Denver",
        country="US",
        latitude=Decimal("39.739200"),
        longitude=Decimal("-104.990300"),
        time_zone="America/Denver",
    )
    reporter = None
    if contact:
        reporter = Contact.objects.create(
            account=account,
            first_name="Pat",
            email="pat@example.test",
            communication_preference="email",
        )
    service, _ = IncidentType.objects.get_or_create(
        name="Boiler service",
        defaults={"display_name": "Boiler service", "estimated_duration_minutes": 60},
    )
    technician = Resource.objects.create(
        display_name="Alex R.",
        home_latitude=Decimal("39.700000"),
        home_longitude=Decimal("-104.950000"),
        time_zone="America/Denver",
    )
    work_orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"WO-{numbers}{n:06d}",
            account=account,
            reported_by=reporter,
            incident_type=service,
            address_line1=account.address_line1,
            city=account.city,
            country=account.country,
        )
        for n in range(count)
    )
    return Customer(account, service, technician, work_orders)
