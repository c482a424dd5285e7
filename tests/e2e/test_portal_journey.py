"""A customer's way through the portal, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import FloatRect, Locator, Page, expect

from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus
from tests.e2e.conftest import (
    Invited,
    accept_invitation,
    accessibility_violations,
    expect_home,
    expect_styled,
    invited_contact,
    sign_in,
    sign_out,
    skip_profile,
)
from tests.factories import BookingFactory, ContactFactory, UserFactory, WorkOrderFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-quiet-harbour-42"


def test_invited_customer_sets_a_password_and_signs_in_again_on_a_phone(phone: Page) -> None:
    invited = invited_contact(first_name="Robin", email="robin@example.test")

    accept_invitation(phone, invited.code, PASSWORD)

    expect(phone).to_have_url("/profile/")
    expect(phone.get_by_role("status")).to_contain_text("Your password is set")
    expect_styled(phone)
    skip_profile(phone)
    expect_home(phone)
    expect(phone.get_by_text("Hello Robin.")).to_be_visible()
    expect(phone.get_by_text("You have no upcoming visits.")).to_be_visible()

    sign_out(phone)
    sign_in(phone, "robin@example.test", PASSWORD)

    expect_home(phone)
    expect(phone.get_by_text("Hello Robin.")).to_be_visible()


def journey(page: Page, invited: Invited) -> Iterator[str]:
    """Walks the invitation journey, naming each page once it is shown."""
    page.goto(f"/invite/{invited.code}/")
    yield "invitation"
    accept_invitation(page, invited.code, PASSWORD)
    expect(page).to_have_url("/profile/")
    yield "profile"
    skip_profile(page)
    expect_home(page)
    yield "home"
    sign_out(page)
    yield "sign-in"


@pytest.mark.parametrize(
    "page_name",
    [
        "invitation",
        "profile",
        "home",
        "sign-in",
    ],
)
def test_journey_page_has_no_serious_accessibility_violations(phone: Page, page_name: str) -> None:
    invited = invited_contact(first_name="Robin", email="robin@example.test")
    for shown in journey(phone, invited):
        if shown == page_name:
            break

    violations = accessibility_violations(phone)

    assert not violations, "\n".join(violations)


def booking_for(contact: Contact, status: str, days: int, service: str) -> Booking:
    start = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    done = {"completed_at": start + timedelta(hours=1)} if status == BookingStatus.COMPLETED else {}
    return BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, incident_type__display_name=service),
        status=status,
        start=start,
        end=start + timedelta(hours=1),
        **done,
    )


def test_home_says_a_visit_in_progress_can_no_longer_be_moved(desktop: Page) -> None:
    user = UserFactory(email="casey@example.test", password=PASSWORD)
    contact = ContactFactory(user=user, email=user.email, profile_reviewed_at=timezone.now())
    booking_for(contact, BookingStatus.IN_PROGRESS, 0, "Boiler repair")
    booking_for(contact, BookingStatus.SCHEDULED, 3, "Annual boiler service")
    booking_for(contact, BookingStatus.COMPLETED, -10, "Radiator bleeding")

    sign_in(desktop, "casey@example.test", PASSWORD)

    expect_home(desktop)
    expect_styled(desktop)
    upcoming = desktop.get_by_role("region", name="Upcoming visits")
    in_progress = upcoming.get_by_role("article", name="Boiler repair")
    scheduled = upcoming.get_by_role("article", name="Annual boiler service")
    expect(in_progress).to_contain_text("In Progress")
    expect(scheduled).to_contain_text("Scheduled")
    expect(upcoming.get_by_role("article", name="Radiator bleeding")).to_have_count(0)
    # The sentence sits right under the In Progress visit, before the next one, and only once.
    hint = upcoming.get_by_text("can no longer be moved or canceled")
    expect(hint).to_have_count(1)
    assert below(hint_box := box_of(hint), box_of(in_progress))
    assert below(box_of(scheduled), hint_box)

    desktop.get_by_role("link", name="Past (1)").click()

    past = desktop.get_by_role("region", name="Past visits")
    expect(past.get_by_role("article", name="Radiator bleeding")).to_contain_text("Completed")
    expect(past.get_by_text("can no longer be moved")).to_have_count(0)


def box_of(element: Locator) -> FloatRect:
    box = element.bounding_box()
    assert box is not None, f"{element} is not on screen"
    return box


def below(lower: FloatRect, upper: FloatRect) -> bool:
    return lower["y"] >= upper["y"] + upper["height"]
