"""Rating a visit from its visit link, without signing in.

`/t/<code>/feedback/` hands the code over to the survey at `/rate/`, an address without
a secret, whose form browsers can send (see portal.visit_link_survey).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.access import visit_links
from doorstep.access.models import VisitLink
from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.factories import BookingFactory, ContactFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def portal() -> Iterator[PortalSettings]:
    settings = PortalSettings.load()
    cache.clear()  # the visit link's rate limit
    yield settings
    cache.clear()


def completed_visit(status: str = BookingStatus.COMPLETED) -> Booking:
    start = (timezone.now() - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(incident_type__display_name="Boiler service"),
        status=status,
        start=start,
        end=start + timedelta(hours=1),
        completed_at=start + timedelta(hours=1) if status == BookingStatus.COMPLETED else None,
    )
    return booking


SURVEY = reverse("portal:visit_survey")


def survey_of(client: Client, booking: Booking, *, to_contact: bool = True) -> str:
    """Open the survey from a new link to `booking`, as its "Rate your visit" does."""
    contact = ContactFactory(account=booking.work_order.account) if to_contact else None
    code = visit_links.issue_visit_link(booking=booking, contact=contact)
    handed_over = client.get(reverse("portal:visit_link_feedback", args=[code]))
    assert handed_over["Location"] == SURVEY
    return SURVEY


def answer(booking: Booking, **fields: str) -> dict[str, str]:
    return {"visit": str(booking.pk), **fields}


def test_the_visit_page_links_to_the_survey_and_it_needs_no_sign_in(client: Client) -> None:
    booking = completed_visit()
    code = visit_links.issue_visit_link(booking=booking)
    survey = reverse("portal:visit_link_feedback", args=[code])

    visit_page = client.get(reverse("visit_link", args=[code])).content.decode()
    response = client.get(survey, follow=True)

    assert f'href="{survey}"' in visit_page
    assert response.redirect_chain == [(SURVEY, 302)]
    assert response.status_code == 200
    assert "How was your visit?" in response.content.decode()
    assert code not in SURVEY
    assert response.get("Referrer-Policy", "same-origin") != "no-referrer"  # its form can be sent
    assert "no-store" in response["Cache-Control"]


def test_the_holder_of_a_valid_code_rates_the_visit_once(client: Client) -> None:
    booking = completed_visit()
    survey = survey_of(client, booking)

    response = client.post(survey, answer(booking, rating="4", comment="On time and tidy."))

    assert response.status_code == 200
    assert "Thank you for your feedback" in response.content.decode()
    feedback = VisitFeedback.objects.get(booking=booking)
    assert (feedback.rating, feedback.comment) == (4, "On time and tidy.")
    assert feedback.given_by is not None
    assert feedback.given_by.account_id == booking.work_order.account_id


def test_a_code_without_a_recipient_still_rates_the_visit(client: Client) -> None:
    booking = completed_visit()

    response = client.post(
        survey_of(client, booking, to_contact=False), answer(booking, rating="5")
    )

    assert response.status_code == 200
    feedback = VisitFeedback.objects.get(booking=booking)
    assert (feedback.rating, feedback.given_by) == (5, None)


def test_a_second_rating_is_refused_with_the_reason(client: Client) -> None:
    booking = completed_visit()
    survey = survey_of(client, booking)
    client.post(survey, answer(booking, rating="2"))

    again = client.post(survey_of(client, booking), answer(booking, rating="5"))

    assert again.status_code == 400
    assert "already been given" in again.content.decode()
    assert VisitFeedback.objects.get(booking=booking).rating == 2


def test_the_form_keeps_what_was_typed_and_says_why_when_no_rating_is_chosen(
    client: Client,
) -> None:
    booking = completed_visit()
    response = client.post(survey_of(client, booking), answer(booking, comment="Very friendly."))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a rating from 1 (very poor) to 5 (excellent)." in page
    assert "Very friendly." in page
    assert not VisitFeedback.objects.exists()


def test_a_visit_not_yet_completed_cannot_be_rated(client: Client) -> None:
    booking = completed_visit(BookingStatus.SCHEDULED)

    response = client.post(survey_of(client, booking), answer(booking, rating="5"))

    assert response.status_code == 400
    assert "once it is completed" in response.content.decode()
    assert not VisitFeedback.objects.exists()


def test_unknown_and_blocked_codes_rate_nothing(client: Client) -> None:
    booking = completed_visit()
    code = visit_links.issue_visit_link(booking=booking)
    visit_links.block(link=VisitLink.objects.get(booking=booking))

    client.get(reverse("portal:visit_link_feedback", args=[code]))
    blocked = client.post(SURVEY, answer(booking, rating="5"))
    client.get(reverse("portal:visit_link_feedback", args=["nope"]))
    unknown = client.post(SURVEY, answer(booking, rating="5"))
    never_opened = Client().post(SURVEY, answer(booking, rating="5"))

    assert blocked.status_code == unknown.status_code == never_opened.status_code == 404
    assert not VisitFeedback.objects.exists()


def test_no_survey_when_the_company_does_not_collect_feedback(
    client: Client, portal: PortalSettings
) -> None:
    portal.include_survey = False
    portal.save()

    booking = completed_visit()
    response = client.post(survey_of(client, booking), answer(booking, rating="5"))

    assert response.status_code == 400
    assert "not collecting feedback" in response.content.decode()
    assert not VisitFeedback.objects.exists()


def test_a_form_for_another_visit_rates_nothing_and_says_why(client: Client) -> None:
    first, second = completed_visit(), completed_visit()
    survey_of(client, first)
    survey_of(client, second)  # opened since in another tab

    response = client.post(SURVEY, answer(first, rating="1"))

    assert response.status_code == 400
    assert "This form was for another visit" in response.content.decode()
    assert not VisitFeedback.objects.exists()
