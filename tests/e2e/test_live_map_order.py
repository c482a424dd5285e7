"""The live map keeps the newest state it was given: an update numbered before the one it
shows (delivered late) changes nothing, a newer one is shown. The page polls status.json
here (pytest-django's live server has no WebSocket); its answers are replaced in flight."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Route, expect

from doorstep.access.visit_links import issue_visit_link
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from doorstep.tracking import live
from doorstep.tracking.live import viewers
from tests.e2e.test_live_map import quick_polls  # noqa: F401 (a fixture)
from tests.factories import BookingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("quick_polls")
def test_an_older_update_delivered_late_changes_nothing(
    desktop_context: BrowserContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nobody listens on a socket here (and Playwright's loop runs in this thread).
    monkeypatch.setattr(viewers, "push_all", lambda updates: None)
    booking = BookingFactory()
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    live.start_eta(booking_id=booking.pk)
    code = issue_visit_link(booking=booking)
    state = live.visit_state(booking_id=booking.pk)
    assert state is not None

    def later(minutes: int, seq: int) -> dict[str, Any]:
        eta = timezone.now() + timedelta(minutes=minutes)
        return {**state, "eta": eta.isoformat(), "minutes": minutes, "seq": seq}

    # An ETA numbered before the state the page shows: ignored.
    answers = [later(99, state["seq"] - 1)]

    def answer(route: Route) -> None:
        body = answers[0] if answers else state
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page = desktop_context.new_page()
    page.route("**/status.json", answer)
    page.goto(f"/t/{code}/")
    heading = page.get_by_role("heading", name="Your technician is on the way")
    expect(heading).to_be_visible()
    eta = page.locator("[data-live-eta]")
    expect(eta).to_contain_text("Arriving around")
    page.wait_for_timeout(2_500)  # two polls answered with the older state
    expect(eta).not_to_contain_text("99 minutes")

    answers[0] = later(42, state["seq"] + 1)  # a newer one is shown
    expect(eta).to_contain_text("42 minutes", timeout=10_000)
    expect(heading).to_be_visible()
