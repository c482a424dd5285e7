"""The portal's edges in a real browser: the sign-in page's choices, where the focus starts,
the character counter, and rating a visit from its visit link without signing in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from doorstep.access import visit_links
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.e2e.conftest import sign_in
from tests.factories import BookingFactory, ContactFactory, UserFactory, WorkOrderFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-quiet-harbour-42"
# WCAG 2.2, 2.5.8 "Target size (minimum)".
SMALLEST_TARGET_PX = 24


def completed_visit() -> Booking:
    start = timezone.now() - timedelta(days=1)
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(incident_type__display_name="Boiler service"),
        status=BookingStatus.COMPLETED,
        start=start,
        end=start + timedelta(hours=1),
        completed_at=start + timedelta(hours=1),
    )
    return booking


def failed_requests(page: Page) -> list[str]:
    failed: list[str] = []

    def note(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", note)
    return failed


def test_the_sign_in_page_offers_the_invitation_and_a_big_enough_reset_link(
    phone: Page,
) -> None:
    failed = failed_requests(phone)
    phone.goto("/accounts/login/")

    heading = phone.get_by_role("heading", name="Sign in", exact=True)
    expect(heading).to_be_focused()
    forgot = phone.get_by_role("link", name="Forgot your password?")
    box = forgot.bounding_box()
    assert box is not None
    assert box["height"] >= SMALLEST_TARGET_PX
    assert box["width"] >= SMALLEST_TARGET_PX
    phone.get_by_role("link", name="Redeem invitation").click()
    expect(phone.get_by_role("heading", name="Accept your invitation")).to_be_visible()
    assert not failed, failed


def test_after_saving_the_focus_is_on_the_message(desktop: Page) -> None:
    user = UserFactory(email="casey@example.test", password=PASSWORD)
    ContactFactory(user=user, email="casey@example.test", profile_reviewed_at=timezone.now())
    sign_in(desktop, "casey@example.test", PASSWORD)

    desktop.goto("/profile/")
    desktop.get_by_role("button", name="Save").click()

    expect(desktop.get_by_text("Your profile is saved.")).to_be_visible()
    # portal.js (focusStart) moves the focus to the page's messages.
    messages = desktop.locator("main .messages")
    expect(messages).to_contain_text("Your profile is saved.")
    expect(messages).to_be_focused()


def test_a_visit_link_rates_the_visit_with_a_counted_comment(phone: Page) -> None:
    booking = completed_visit()
    code = visit_links.issue_visit_link(booking=booking)
    failed = failed_requests(phone)

    phone.goto(reverse("visit_link", args=[code]))
    phone.get_by_role("link", name="Rate your visit").click()
    phone.get_by_role("radio", name="4 – Good").check()
    comment = phone.get_by_label("Anything you would like to tell us?")
    comment.fill("Quick and tidy.")
    expect(phone.get_by_text("1,985 characters left of 2,000")).to_be_visible()
    comment.fill("x" * 2_010)
    expect(phone.get_by_text("10 characters too many: please shorten it").first).to_be_visible()
    comment.fill("Quick and tidy.")
    phone.get_by_role("button", name="Send feedback").click()

    expect(phone.get_by_role("heading", name="Thank you for your feedback")).to_be_focused()
    assert VisitFeedback.objects.get(booking=booking).comment == "Quick and tidy."
    phone.get_by_role("link", name="Back to your visit").click()
    expect(phone.get_by_text("Thanks for your feedback.")).to_be_visible()
    assert not failed, failed
