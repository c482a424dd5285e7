"""Rating a completed visit in the portal, and the "Send feedback" link on the home page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.factories import BookingFactory, ContactFactory, UserFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

PAST_TAB = reverse("portal:home") + "?tab=past"


@pytest.fixture
def contact() -> Contact:
    user = UserFactory(email="casey@example.test")
    found: Contact = ContactFactory(
        user=user, email="casey@example.test", profile_reviewed_at=timezone.now()
    )
    return found


@pytest.fixture
def customer(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


def visit_of(contact: Contact, status: str = BookingStatus.COMPLETED, days_ago: int = 3) -> Booking:
    start = (timezone.now() - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)
    extra = (
        {"completed_at": start + timedelta(hours=1)} if status == BookingStatus.COMPLETED else {}
    )
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(
            account=contact.account, incident_type__display_name="Boiler service"
        ),
        status=status,
        start=start,
        end=start + timedelta(hours=1),
        **extra,
    )
    return booking


def page_of(booking: Booking) -> str:
    return reverse("portal:feedback", args=[booking.pk])


def surveys_off() -> None:
    PortalSettings.objects.update_or_create(pk=1, defaults={"include_survey": False})


# --- Who may open the page ------------------------------------------------------------------


def test_the_feedback_page_needs_a_sign_in(client: Client, contact: Contact) -> None:
    response = client.get(page_of(visit_of(contact)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_accounts_visit_is_not_found(customer: Client) -> None:
    someone_elses = visit_of(ContactFactory())

    assert customer.get(page_of(someone_elses)).status_code == 404
    assert customer.post(page_of(someone_elses), {"rating": "5"}).status_code == 404
    assert not VisitFeedback.objects.exists()


def test_an_unknown_visit_is_not_found(customer: Client) -> None:
    assert customer.get(reverse("portal:feedback", args=[999_999])).status_code == 404


def test_a_sign_in_without_a_contact_is_not_found(client: Client, contact: Contact) -> None:
    client.force_login(UserFactory())

    assert client.get(page_of(visit_of(contact))).status_code == 404


@pytest.mark.parametrize(
    "status", [BookingStatus.SCHEDULED, BookingStatus.IN_PROGRESS, BookingStatus.CANCELED]
)
def test_a_visit_that_is_not_completed_is_refused_with_the_reason(
    customer: Client, contact: Contact, status: str
) -> None:
    booking = visit_of(contact, status=status)

    shown = customer.get(page_of(booking))
    posted = customer.post(page_of(booking), {"rating": "5", "comment": "Sneaky"})

    assert shown.status_code == 200
    assert "You can rate a visit once it is completed." in shown.content.decode()
    assert 'name="rating"' not in shown.content.decode()
    assert posted.status_code == 400
    assert "once it is completed" in posted.content.decode()
    assert not VisitFeedback.objects.exists()


# --- The form -------------------------------------------------------------------------------


def test_the_rating_is_five_radio_buttons_in_a_fieldset_with_a_legend(
    customer: Client, contact: Contact
) -> None:
    booking = visit_of(contact)

    response = customer.get(page_of(booking))

    page = response.content.decode()
    assert response.status_code == 200
    assert booking.reference in page
    assert "<legend>How was your visit?</legend>" in page
    assert page.count('type="radio" name="rating"') == 5
    for label in ("1 – Very poor", "5 – Excellent"):
        assert label in page
    assert 'Anything you would like to tell us? <span class="muted">(optional)</span>' in page


def test_feedback_is_saved_and_the_customer_thanked(customer: Client, contact: Contact) -> None:
    booking = visit_of(contact)

    response = customer.post(page_of(booking), {"rating": "4", "comment": "Friendly and quick."})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you for your feedback" in page
    assert "4 out of 5" in page
    given = VisitFeedback.objects.get()
    assert (given.booking, given.rating, given.comment, given.given_by) == (
        booking,
        4,
        "Friendly and quick.",
        contact,
    )


def test_the_comment_is_optional(customer: Client, contact: Contact) -> None:
    response = customer.post(page_of(visit_of(contact)), {"rating": "5"})

    assert response.status_code == 200
    assert VisitFeedback.objects.get().comment == ""


@pytest.mark.parametrize(
    "data",
    [
        {"comment": "No stars given"},
        {"rating": "", "comment": "No stars given"},
        {"rating": "6", "comment": "No stars given"},
        {"rating": "0", "comment": "No stars given"},
        {"rating": "five", "comment": "No stars given"},
        {"rating": ["4", "5"], "comment": "No stars given"},
    ],
    ids=["missing", "empty", "six", "zero", "text", "twice"],
)
def test_a_bad_rating_shows_the_form_again_with_the_message_and_the_comment_kept(
    customer: Client, contact: Contact, data: dict[str, object]
) -> None:
    response = customer.post(page_of(visit_of(contact)), data)

    page = response.content.decode()
    if data.get("rating") == ["4", "5"]:
        # The last value of a repeated field wins, as everywhere in Django: still one rating.
        assert response.status_code == 200
        assert VisitFeedback.objects.get().rating == 5
        return
    assert response.status_code == 400
    assert "Please check what you entered" in page
    assert "Choose a rating from 1 (very poor) to 5 (excellent)." in page
    assert ">\nNo stars given</textarea>" in page
    assert not VisitFeedback.objects.exists()


def test_an_empty_post_gets_the_message_too(customer: Client, contact: Contact) -> None:
    response = customer.post(page_of(visit_of(contact)), {})

    assert response.status_code == 400
    assert "Choose a rating from 1 (very poor) to 5 (excellent)." in response.content.decode()
    assert not VisitFeedback.objects.exists()


def test_a_comment_that_is_too_long_is_kept_with_the_message(
    customer: Client, contact: Contact
) -> None:
    long_comment = "Very long story. " * 200

    response = customer.post(page_of(visit_of(contact)), {"rating": "3", "comment": long_comment})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Please keep this under 2,000 characters (it has 3,399)" in page
    assert 'value="3" id="id_rating_2" required checked>' in page
    assert long_comment.strip() in page
    assert not VisitFeedback.objects.exists()


# --- Once per visit -------------------------------------------------------------------------


def test_a_second_visit_to_the_page_says_feedback_was_given(
    customer: Client, contact: Contact
) -> None:
    booking = visit_of(contact)
    customer.post(page_of(booking), {"rating": "2", "comment": "Late."})

    shown = customer.get(page_of(booking))
    posted_again = customer.post(page_of(booking), {"rating": "5", "comment": "Changed my mind"})

    for response in (shown, posted_again):
        page = response.content.decode()
        assert "Feedback already given" in page
        assert "2 out of 5" in page
        assert 'name="rating"' not in page
    assert (shown.status_code, posted_again.status_code) == (200, 400)
    given = VisitFeedback.objects.get()
    assert (given.rating, given.comment) == (2, "Late.")


def test_feedback_from_a_colleague_counts_for_the_whole_account(
    customer: Client, contact: Contact
) -> None:
    booking = visit_of(contact)
    VisitFeedback.objects.create(
        booking=booking, rating=5, given_by=ContactFactory(account=contact.account)
    )

    response = customer.get(page_of(booking))

    assert "Feedback already given" in response.content.decode()


# --- Surveys off ----------------------------------------------------------------------------


def test_with_surveys_off_the_page_refuses(customer: Client, contact: Contact) -> None:
    surveys_off()
    booking = visit_of(contact)

    shown = customer.get(page_of(booking))
    posted = customer.post(page_of(booking), {"rating": "5"})

    assert "not collecting feedback" in shown.content.decode()
    assert 'name="rating"' not in shown.content.decode()
    assert posted.status_code == 400
    assert not VisitFeedback.objects.exists()


# --- The home page's Past tab ---------------------------------------------------------------


def test_past_tab_offers_feedback_only_on_completed_visits_not_yet_rated(
    customer: Client, contact: Contact
) -> None:
    to_rate = visit_of(contact, days_ago=2)
    rated = visit_of(contact, days_ago=5)
    VisitFeedback.objects.create(booking=rated, rating=4, given_by=contact)
    canceled = visit_of(contact, status=BookingStatus.CANCELED, days_ago=8)

    page = customer.get(PAST_TAB).content.decode()

    assert page.count(">Send feedback</a>") == 1
    assert f'href="{page_of(to_rate)}"' in page
    assert f'aria-label="Send feedback on visit {to_rate.reference}"' in page
    assert f'href="{page_of(rated)}"' not in page
    assert f'href="{page_of(canceled)}"' not in page
    assert page.count("Thanks for your feedback.") == 1


def test_upcoming_tab_offers_no_feedback(customer: Client, contact: Contact) -> None:
    visit_of(contact)
    visit_of(contact, status=BookingStatus.SCHEDULED, days_ago=-3)

    page = customer.get(reverse("portal:home")).content.decode()

    assert "Send feedback" not in page


def test_with_surveys_off_the_past_tab_has_no_feedback_link(
    customer: Client, contact: Contact
) -> None:
    surveys_off()
    visit_of(contact)

    page = customer.get(PAST_TAB).content.decode()

    assert "Send feedback" not in page


def test_the_past_tab_costs_the_same_queries_for_two_or_ten_visits(
    customer: Client, contact: Contact, django_assert_max_num_queries: object
) -> None:
    def add_past_visits(count: int) -> None:
        for index in range(count):
            booking = visit_of(contact, days_ago=2 + index)
            if index % 2:
                VisitFeedback.objects.create(booking=booking, rating=3, given_by=contact)

    add_past_visits(2)
    customer.get(PAST_TAB)  # the session and settings rows exist from here on
    with CaptureQueriesContext(connection) as with_two:
        assert customer.get(PAST_TAB).status_code == 200
    add_past_visits(8)

    with django_assert_max_num_queries(len(with_two)):  # type: ignore[operator]
        page = customer.get(PAST_TAB).content.decode()

    assert page.count(">Send feedback</a>") == 5
    assert page.count("Thanks for your feedback.") == 5
