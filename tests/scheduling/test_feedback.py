"""Customers' feedback on completed visits: the rules, the refusals, and the office's averages."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.scheduling import feedback
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.factories import (
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    ResourceFactory,
    WorkOrderFactory,
)

FEEDBACK_LIST = reverse("admin:scheduling_visitfeedback_changelist")


def completed_visit(contact: Contact, **fields: Any) -> Booking:
    start = (timezone.now() - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    work_order_fields = {"account": contact.account}
    if "incident_type" in fields:
        work_order_fields["incident_type"] = fields.pop("incident_type")
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(**work_order_fields),
        status=BookingStatus.COMPLETED,
        start=start,
        end=start + timedelta(hours=1),
        completed_at=start + timedelta(hours=1),
        **fields,
    )
    return booking


def surveys(*, on: bool) -> None:
    PortalSettings.objects.update_or_create(pk=1, defaults={"include_survey": on})


@pytest.fixture
def contact(db: None) -> Contact:
    found: Contact = ContactFactory()
    return found


# --- Giving feedback ------------------------------------------------------------------------


@pytest.mark.django_db
def test_feedback_keeps_the_rating_the_comment_and_who_gave_it(contact: Contact) -> None:
    booking = completed_visit(contact)

    given = feedback.give_feedback(
        booking=booking, contact=contact, rating=4, comment="  On time and tidy.  "
    )

    given.refresh_from_db()
    assert (given.booking, given.rating, given.comment, given.given_by) == (
        booking,
        4,
        "On time and tidy.",
        contact,
    )
    assert given.created_at is not None


@pytest.mark.django_db
def test_the_comment_is_optional(contact: Contact) -> None:
    given = feedback.give_feedback(booking=completed_visit(contact), contact=contact, rating=5)

    assert given.comment == ""


@pytest.mark.django_db
def test_another_contact_of_the_same_account_may_give_it(contact: Contact) -> None:
    colleague = ContactFactory(account=contact.account)

    given = feedback.give_feedback(booking=completed_visit(contact), contact=colleague, rating=3)

    assert given.given_by == colleague


@pytest.mark.django_db
def test_feedback_refused_when_surveys_are_off(contact: Contact) -> None:
    surveys(on=False)
    booking = completed_visit(contact)

    with pytest.raises(feedback.FeedbackRefused, match="not collecting feedback"):
        feedback.give_feedback(booking=booking, contact=contact, rating=5)

    assert not VisitFeedback.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.SCHEDULED,
        BookingStatus.TRAVELING,
        BookingStatus.IN_PROGRESS,
        BookingStatus.CANCELED,
    ],
)
def test_feedback_refused_before_the_visit_is_completed(contact: Contact, status: str) -> None:
    booking = BookingFactory(work_order=WorkOrderFactory(account=contact.account), status=status)

    with pytest.raises(feedback.FeedbackRefused, match="once it is completed"):
        feedback.give_feedback(booking=booking, contact=contact, rating=5)

    assert not VisitFeedback.objects.exists()


@pytest.mark.django_db
def test_feedback_refused_for_a_contact_of_another_account(contact: Contact) -> None:
    booking = completed_visit(contact)
    stranger = ContactFactory()

    with pytest.raises(feedback.FeedbackRefused, match="customer account"):
        feedback.give_feedback(booking=booking, contact=stranger, rating=1)

    assert not VisitFeedback.objects.exists()


@pytest.mark.django_db
def test_feedback_refused_a_second_time(contact: Contact) -> None:
    booking = completed_visit(contact)
    feedback.give_feedback(booking=booking, contact=contact, rating=2, comment="Late.")

    with pytest.raises(feedback.FeedbackAlreadyGiven, match="already been given"):
        feedback.give_feedback(booking=booking, contact=contact, rating=5, comment="Changed mind")

    kept = VisitFeedback.objects.get()
    assert (kept.rating, kept.comment) == (2, "Late.")


@pytest.mark.django_db
@pytest.mark.parametrize("rating", [0, 6, -1, 100, True])
def test_a_rating_outside_one_to_five_is_refused(contact: Contact, rating: int) -> None:
    with pytest.raises(feedback.FeedbackRefused, match="from 1 to 5"):
        feedback.give_feedback(booking=completed_visit(contact), contact=contact, rating=rating)

    assert not VisitFeedback.objects.exists()


@pytest.mark.django_db
def test_a_comment_that_is_too_long_is_refused(contact: Contact) -> None:
    with pytest.raises(feedback.FeedbackRefused, match="under 2000 characters"):
        feedback.give_feedback(
            booking=completed_visit(contact), contact=contact, rating=3, comment="x" * 2001
        )


@pytest.mark.django_db
def test_a_write_that_slipped_past_the_check_gets_the_same_refusal(
    contact: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = completed_visit(contact)
    check = feedback.check_feedback_possible

    def check_then_lose_the_race(**kwargs: Any) -> None:
        check(**kwargs)
        # Someone else's feedback lands between the check and the insert.
        VisitFeedback.objects.create(booking=booking, rating=1, given_by=contact)

    monkeypatch.setattr(feedback, "check_feedback_possible", check_then_lose_the_race)

    with pytest.raises(feedback.FeedbackAlreadyGiven, match="already been given"):
        feedback.give_feedback(booking=booking, contact=contact, rating=5)

    # The stand-in racer wrote inside the refused transaction, so it is rolled back too;
    # what matters is that the second rating was not saved.
    assert not VisitFeedback.objects.filter(rating=5).exists()


# --- What the database holds on its own -----------------------------------------------------


@pytest.mark.django_db
def test_the_database_holds_one_feedback_per_booking(contact: Contact) -> None:
    booking = completed_visit(contact)
    VisitFeedback.objects.create(booking=booking, rating=4)

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFeedback.objects.create(booking=booking, rating=5)


@pytest.mark.django_db
@pytest.mark.parametrize("rating", [0, 6])
def test_the_database_refuses_a_rating_outside_one_to_five(contact: Contact, rating: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFeedback.objects.create(booking=completed_visit(contact), rating=rating)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_leave_one_feedback() -> None:
    contact = ContactFactory()
    booking = completed_visit(contact)
    racers = 8
    barrier = threading.Barrier(racers)
    results: list[object] = [None] * racers

    def submit(index: int) -> None:
        try:
            barrier.wait()
            results[index] = feedback.give_feedback(
                booking=booking, contact=contact, rating=index % 5 + 1
            )
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    given = [r for r in results if isinstance(r, VisitFeedback)]
    refused = [r for r in results if isinstance(r, feedback.FeedbackAlreadyGiven)]
    assert (len(given), len(refused)) == (1, racers - 1), results
    assert VisitFeedback.objects.count() == 1


# --- The office's averages ------------------------------------------------------------------


@pytest.fixture
def rated_visits(contact: Contact) -> dict[str, Any]:
    """Alex rated 5 and 4 for boiler work, Sam rated 2 for a drain: known averages."""
    alex, sam = ResourceFactory(display_name="Alex R."), ResourceFactory(display_name="Sam T.")
    boiler = IncidentTypeFactory(name="Boiler service")
    drain = IncidentTypeFactory(name="Drain cleaning")
    for technician, service, rating, comment in [
        (alex, boiler, 5, "Lovely."),
        (alex, boiler, 4, "Good, a little late. " * 10),
        (sam, drain, 2, "Left a mess."),
    ]:
        feedback.give_feedback(
            booking=completed_visit(contact, resource=technician, incident_type=service),
            contact=contact,
            rating=rating,
            comment=comment,
        )
    return {"alex": alex, "sam": sam, "boiler": boiler, "drain": drain}


@pytest.mark.django_db
def test_ratings_average_per_technician(rated_visits: dict[str, Any]) -> None:
    summaries = feedback.ratings_per_technician(VisitFeedback.objects.all())

    assert summaries == [
        feedback.RatingSummary(name="Alex R.", count=2, average=4.5),
        feedback.RatingSummary(name="Sam T.", count=1, average=2.0),
    ]


@pytest.mark.django_db
def test_ratings_average_per_service_type(rated_visits: dict[str, Any]) -> None:
    summaries = feedback.ratings_per_service_type(VisitFeedback.objects.all())

    assert summaries == [
        feedback.RatingSummary(name="Boiler service", count=2, average=4.5),
        feedback.RatingSummary(name="Drain cleaning", count=1, average=2.0),
    ]


@pytest.mark.django_db
def test_the_feedback_list_shows_the_averages_per_technician_and_service_type(
    staff_client: Client, rated_visits: dict[str, Any]
) -> None:
    response = staff_client.get(FEEDBACK_LIST)

    assert response.status_code == 200
    assert response.context["ratings_per_technician"] == [
        feedback.RatingSummary(name="Alex R.", count=2, average=4.5),
        feedback.RatingSummary(name="Sam T.", count=1, average=2.0),
    ]
    assert [s.name for s in response.context["ratings_per_service_type"]] == [
        "Boiler service",
        "Drain cleaning",
    ]
    page = response.content.decode()
    assert "Average rating per technician" in page
    assert "Average rating per service type" in page
    assert '<th scope="row">Alex R.</th><td>4.5</td><td>2</td>' in page
    assert '<th scope="row">Drain cleaning</th><td>2.0</td><td>1</td>' in page
    assert "Left a mess." in page
    assert "Good, a little late. Good, a little late." in page
    assert ("Good, a little late. " * 10).strip() not in page  # only an excerpt in the list


@pytest.mark.django_db
def test_the_averages_follow_the_lists_filter(
    staff_client: Client, rated_visits: dict[str, Any]
) -> None:
    response = staff_client.get(
        FEEDBACK_LIST, {"booking__resource__id__exact": rated_visits["sam"].pk}
    )

    assert response.context["ratings_per_technician"] == [
        feedback.RatingSummary(name="Sam T.", count=1, average=2.0)
    ]
    assert response.context["ratings_per_service_type"] == [
        feedback.RatingSummary(name="Drain cleaning", count=1, average=2.0)
    ]


@pytest.mark.django_db
def test_the_feedback_list_can_be_searched_and_filtered_by_rating(
    staff_client: Client, rated_visits: dict[str, Any]
) -> None:
    searched = staff_client.get(FEEDBACK_LIST, {"q": "mess"})
    by_rating = staff_client.get(FEEDBACK_LIST, {"rating": 5})

    assert [f.comment for f in searched.context["cl"].result_list] == ["Left a mess."]
    assert [f.rating for f in by_rating.context["cl"].result_list] == [5]


@pytest.mark.django_db
def test_an_empty_feedback_list_shows_no_averages(staff_client: Client) -> None:
    page = staff_client.get(FEEDBACK_LIST).content.decode()

    assert "Average rating per technician" not in page


@pytest.mark.django_db
def test_the_office_reads_feedback_but_cannot_add_change_or_delete_it(
    staff_client: Client, rated_visits: dict[str, Any]
) -> None:
    given = VisitFeedback.objects.filter(rating=2).get()
    change_page = reverse("admin:scheduling_visitfeedback_change", args=[given.pk])

    assert staff_client.get(reverse("admin:scheduling_visitfeedback_add")).status_code == 403
    assert staff_client.get(change_page).status_code == 200
    staff_client.post(change_page, {"rating": 5, "comment": "Edited"})
    assert staff_client.post(
        reverse("admin:scheduling_visitfeedback_delete", args=[given.pk]), {"post": "yes"}
    ).status_code in (302, 403)
    given.refresh_from_db()
    assert (given.rating, given.comment) == (2, "Left a mess.")
