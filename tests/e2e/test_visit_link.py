"""A visit link opened in a real browser never leaks its code to anyone else."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request, expect

from doorstep.access.visit_links import issue_visit_link
from doorstep.configuration.models import PortalSettings
from tests.factories import AccountFactory, BookingFactory, ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_code_never_travels_in_a_referer(phone: Page) -> None:
    PortalSettings.load()
    contact = ContactFactory(account=AccountFactory(time_zone="America/Denver"))
    booking = BookingFactory(
        work_order__account=contact.account,
        work_order__incident_type__display_name="Boiler service",
    )
    code = issue_visit_link(booking=booking, contact=contact)
    requests: list[Request] = []
    # A lambda, not requests.append: Playwright cannot hold on to a built-in method.
    phone.on("request", lambda request: requests.append(request))  # noqa: PLW0108

    phone.goto(f"/t/{code}/")
    expect(phone.get_by_text(booking.reference).first).to_be_visible()
    # Following the page's own links (the calendar file, signing in) sends no referrer either.
    with phone.expect_download():
        phone.get_by_role("link", name="Add to calendar").click()
    phone.get_by_role("link", name="Sign in to move or cancel").click()
    phone.wait_for_url("**/accounts/login/**")

    assert len(requests) >= 3
    for request in requests:
        assert code not in (request.headers.get("referer") or ""), request.url
        if request.url.split("?")[0].endswith(f"/t/{code}/"):
            continue
        assert code not in request.url, request.url
