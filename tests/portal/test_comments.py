"""The customer's own words: notes for the technician and feedback comments.

They show again on the visit's page, long ones are counted on the page rather than cut
by the browser, and one over the limit is refused with the reason, keeping what was typed.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.factories import BookingFactory, TimelineNoteFactory
from tests.portal.test_booking import (  # noqa: F401 (fixtures)
    BOOK,
    contact,
    customer,
    day_after_tomorrow,
    offered_times,
    service,
)

pytestmark = pytest.mark.django_db


def book(customer: Client, service, details: str):  # type: ignore[no-untyped-def]  # noqa: F811
    start = offered_times(customer, service)[0]
    return customer.post(
        BOOK,
        {
            "service_type": service.pk,
            "day": day_after_tomorrow(),
            "start": start,
            "details": details,
        },
    )


def test_the_notes_show_on_the_visits_page(customer: Client, service) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    response = book(customer, service, "Gate code 1234.\nThe dog is friendly.")

    page = customer.get(response["Location"]).content.decode()
    again = customer.get(reverse("portal:confirmation", args=[Booking.objects.get().pk]))

    for shown in (page, again.content.decode()):
        assert "Gate code 1234.<br>The dog is friendly." in shown
        assert "You wrote" in shown


def test_the_office_notes_meant_for_the_customer_show_and_the_others_do_not(
    customer: Client,  # noqa: F811
    contact: Contact,  # noqa: F811
) -> None:
    booking = BookingFactory(work_order__account=contact.account)
    TimelineNoteFactory(
        work_order=booking.work_order, text="Bring the ladder", customer_visible=True
    )
    TimelineNoteFactory(work_order=booking.work_order, text="Owes 40 dollars")

    page = customer.get(reverse("portal:confirmation", args=[booking.pk])).content.decode()

    assert "Bring the ladder" in page
    assert "From us" in page
    assert "Owes 40 dollars" not in page


def test_the_notes_field_is_counted_not_cut_by_the_browser(customer: Client, service) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = customer.get(BOOK, {"service_type": service.pk}).content.decode()

    area = re.search(r"<textarea[^>]*>", page)
    assert area is not None
    assert 'data-max-length="2000"' in area.group(0)
    assert "maxlength" not in area.group(0)
    assert "portal/portal.js" in page


def test_notes_over_the_limit_are_refused_with_the_reason_and_kept(
    customer: Client,  # noqa: F811
    service,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    typed = "Long story. " * 200  # 2,400 characters

    response = book(customer, service, typed)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please keep this under 2,000 characters (it has 2,399)" in page
    assert typed.strip() in page
    assert not Booking.objects.exists()


def test_a_feedback_comment_over_the_limit_is_refused_and_kept(
    customer: Client,  # noqa: F811
    contact: Contact,  # noqa: F811
) -> None:
    start = timezone.now() - timedelta(days=2)
    booking = BookingFactory(
        work_order__account=contact.account,
        status=BookingStatus.COMPLETED,
        start=start,
        end=start + timedelta(hours=1),
        completed_at=start + timedelta(hours=1),
    )
    typed = "x" * 2001

    response = customer.post(
        reverse("portal:feedback", args=[booking.pk]), {"rating": "4", "comment": typed}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please keep this under 2,000 characters (it has 2,001)" in page
    assert typed in page
    assert "maxlength" not in page
    assert not VisitFeedback.objects.exists()
