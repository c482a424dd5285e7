"""Rating a visit from its visit link, `/t/<code>/feedback/`, without signing in."""

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


def survey_of(booking: Booking, *, to_contact: bool = True) -> str:
    contact = ContactFactory(account=booking.work_order.account) if to_contact else None
    code = visit_links.issue_visit_link(booking=booking, contact=contact)
    return reverse("portal:visit_link_feedback", args=[code])


def test_the_visit_page_links_to_the_survey_and_it_needs_no_sign_in(client: Client) -> None:
    booking = completed_visit()
    code = visit_links.issue_visit_link(booking=booking)
    survey = reverse("portal:visit_link_feedback", args=[code])

    visit_page = client.get(reverse("visit_link", args=[code])).content.decode()
    response = client.get(survey)

    assert f'href="{survey}"' in visit_page
    assert response.status_code == 200
    assert "How was your visit?" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"  # see visit_link_feedback
    assert "no-store" in response["Cache-Control"]


def test_the_holder_of_a_valid_code_rates_the_visit_once(client: Client) -> None:
    booking = completed_visit()
    survey = survey_of(booking)

    response = client.post(survey, {"rating": "4", "comment": "On time and tidy."})

    assert response.status_code == 200
    assert "Thank you for your feedback" in response.content.decode()
    feedback = VisitFeedback.objects.get(booking=booking)
    assert (feedback.rating, feedback.comment) == (4, "On time and tidy.")
    assert feedback.given_by is not None
    assert feedback.given_by.account_id == booking.work_order.account_id


def test_a_code_without_a_recipient_still_rates_the_visit(client: Client) -> None:
    booking = completed_visit()

    response = client.post(survey_of(booking, to_contact=False), {"rating": "5"})

    assert response.status_code == 200
    feedback = VisitFeedback.objects.get(booking=booking)
    assert (feedback.rating, feedback.given_by) == (5, None)


def test_a_second_rating_is_refused_with_the_reason(client: Client) -> None:
    booking = completed_visit()
    survey = survey_of(booking)
    client.post(survey, {"rating": "2"})

    again = client.post(survey_of(booking), {"rating": "5"})

    assert again.status_code == 400
    assert "already been given" in again.content.decode()
    assert VisitFeedback.objects.get(booking=booking).rating == 2


def test_the_form_keeps_what_was_typed_and_says_why_when_no_rating_is_chosen(
    client: Client,
) -> None:
    response = client.post(survey_of(completed_visit()), {"comment": "Very friendly."})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a rating from 1 (very poor) to 5 (excellent)." in page
    assert "Very friendly." in page
    assert not VisitFeedback.objects.exists()


def test_a_visit_not_yet_completed_cannot_be_rated(client: Client) -> None:
    booking = completed_visit(BookingStatus.SCHEDULED)

    response = client.post(survey_of(booking), {"rating": "5"})

    assert response.status_code == 400
    assert "once it is completed" in response.content.decode()
    assert not VisitFeedback.objects.exists()


def test_unknown_and_blocked_codes_rate_nothing(client: Client) -> None:
    booking = completed_visit()
    code = visit_links.issue_visit_link(booking=booking)
    visit_links.block(link=VisitLink.objects.get(booking=booking))

    blocked = client.post(reverse("portal:visit_link_feedback", args=[code]), {"rating": "5"})
    unknown = client.post(reverse("portal:visit_link_feedback", args=["nope"]), {"rating": "5"})

    assert blocked.status_code == unknown.status_code == 404
    assert not VisitFeedback.objects.exists()


def test_no_survey_when_the_company_does_not_collect_feedback(
    client: Client, portal: PortalSettings
) -> None:
    portal.include_survey = False
    portal.save()

    response = client.post(survey_of(completed_visit()), {"rating": "5"})

    assert response.status_code == 400
    assert "not collecting feedback" in response.content.decode()
    assert not VisitFeedback.objects.exists()
