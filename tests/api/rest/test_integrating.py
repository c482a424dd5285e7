"""docs/integrating.md works as written: its examples run in order against a live server."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from doorstep.access.models import Scope
from doorstep.plans.models import ChangeRequest, ServicePlan
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.workforce.models import Resource
from tests.api.rest.conftest import ApiClient
from tests.factories import WorkingHoursFactory

GUIDE = Path(__file__).parents[3] / "docs" / "integrating.md"
EXAMPLE = re.compile(r"```python\n(.*?)```", re.DOTALL)


def give_working_hours() -> None:
    """The back-office step the guide names: the pushed technician works every day."""
    for technician in Resource.objects.filter(working_hours__isnull=True):
        for weekday in range(7):
            WorkingHoursFactory(
                resource=technician, weekday=weekday, start_time=time(8), end_time=time(17)
            )


def a_customer_asks_for_a_change(text: str) -> None:
    """What a customer does in the portal: written before the guide's next example reads it."""
    for plan in ServicePlan.objects.filter(change_requests__isnull=True):
        ChangeRequest.objects.create(plan=plan, text=text)


@pytest.mark.django_db(transaction=True)
def test_every_example_of_the_guide_runs(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(scopes={Scope.READ, Scope.WRITE, Scope.DISPATCH})
    secret = "whsec_" + base64.b64encode(b"a secret of the endpoint, 32 b.").decode()
    monkeypatch.setenv("DOORSTEP_URL", live_server.url)
    monkeypatch.setenv("DOORSTEP_API_KEY", str(api.key))
    monkeypatch.setenv("DOORSTEP_WEBHOOK_SECRET", secret)
    examples = EXAMPLE.findall(GUIDE.read_text())
    assert len(examples) >= 6
    namespace: dict[str, Any] = {}
    try:
        for example in examples:
            exec(compile(example, str(GUIDE), "exec"), namespace)  # noqa: S102 (our own guide)
            give_working_hours()
            a_customer_asks_for_a_change("Visits in May, please.")
    finally:
        # The session's keep-alive connection would hold a server thread past the test.
        namespace["api"].close()

    booking = Booking.objects.get(external_id="JOB-5001")
    assert booking.status == BookingStatus.TRAVELING
    assert booking.work_order.account.external_id == "C-2001"
    assert booking.resource.external_id == "T-100"
    assert [change["id"] for change in namespace["changes"]] == [booking.pk]
    assert namespace["deleted"] == []
    assert namespace["invoice"]["external_id"] == "INV-5001"
    plan = ServicePlan.objects.get(external_id="AGR-77")
    assert (plan.account.external_id, plan.every, plan.unit) == ("C-2001", 12, "months")
    assert [r["text"] for r in namespace["waiting"]["results"]] == ["Visits in May, please."]
    assert plan.change_requests.get().handled_at is not None

    payload = '{"type": "booking.created", "timestamp": "2026-12-04T20:00:00Z", "data": {}}'
    signed_at = datetime.now(tz=UTC)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", signed_at, payload),
    }
    assert namespace["receive"](payload.encode(), headers)["type"] == "booking.created"
    forged = {**headers, "webhook-signature": "v1,AAAA"}
    with pytest.raises(Exception, match="signature"):
        namespace["receive"](payload.encode(), forged)
