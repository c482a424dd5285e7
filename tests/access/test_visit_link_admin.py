"""Visit codes in the back office: the message that carried each, and blocking that asks first."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.access.models import VisitLink
from doorstep.access.visit_links import find_valid_link, issue_visit_link
from doorstep.notifications import sending
from doorstep.notifications.models import Notification
from doorstep.notifications.sms import LocmemBackend
from tests.factories import BookingFactory, ContactFactory
from tests.notifications.conftest import book

LIST = reverse("admin:access_visitlink_changelist")

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():  # type: ignore[no-untyped-def]
    return ContactFactory(
        first_name="Pat",
        email="pat@example.test",
        phone="+13035550101",
        communication_preference="both",
    )


@pytest.fixture
def sent_links(contact) -> dict[str, VisitLink]:  # type: ignore[no-untyped-def]
    """The codes of a booking confirmation sent by email and by text, by channel."""
    LocmemBackend.outbox.clear()
    booking = book(contact)
    sending.send_due(worker="test")
    return {link.notification.channel: link for link in VisitLink.objects.filter(booking=booking)}


def test_each_code_knows_the_message_and_channel_that_carried_it(
    sent_links: dict[str, VisitLink],
) -> None:
    assert set(sent_links) == {"email", "sms"}
    for channel, link in sent_links.items():
        notification = Notification.objects.get(pk=link.notification_id)
        assert (notification.channel, notification.message_type) == (channel, "confirmed")


def test_the_list_and_the_page_say_which_message_and_channel(
    staff_client: Client, sent_links: dict[str, VisitLink]
) -> None:
    listed = staff_client.get(LIST).content.decode()
    page = staff_client.get(
        reverse("admin:access_visitlink_change", args=[sent_links["sms"].pk])
    ).content.decode()

    log_entry = reverse(
        "admin:notifications_notification_change", args=[sent_links["sms"].notification_id]
    )
    assert f'<a href="{log_entry}">Booking confirmed by text message</a>' in listed
    assert "Booking confirmed by email" in listed
    assert "Booking confirmed by text message" in page
    only_texts = staff_client.get(LIST, {"notification__channel__exact": "sms"})
    assert list(only_texts.context["cl"].result_list) == [sent_links["sms"]]


def test_blocking_from_the_list_asks_first(staff_client: Client) -> None:
    booking = BookingFactory(reference="RBLOCK")
    codes = [issue_visit_link(booking=booking) for _ in range(2)]
    links = list(VisitLink.objects.all())
    chosen = {"action": "block", "_selected_action": [link.pk for link in links]}

    asked = staff_client.post(LIST, chosen)

    html = asked.content.decode()
    assert asked.status_code == 200
    assert "Block these 2 codes?" in html
    assert "a blocked code cannot be unblocked" in html
    assert html.count("RBLOCK · — · message not recorded") == 2
    assert f'href="{LIST}" class="button cancel-link">No, take me back</a>' in html
    assert all(find_valid_link(code) is not None for code in codes)

    done = staff_client.post(LIST, chosen | {"post": "yes"}, follow=True)

    assert "2 codes blocked." in [str(m) for m in done.context["messages"]]
    assert all(find_valid_link(code) is None for code in codes)


def test_blocking_one_code_from_its_page_asks_first(staff_client: Client) -> None:
    code = issue_visit_link(booking=BookingFactory())
    link = VisitLink.objects.get()
    block = reverse("admin:access_visitlink_block", args=[link.pk])
    page = reverse("admin:access_visitlink_change", args=[link.pk])

    asked = staff_client.post(block)

    html = asked.content.decode()
    assert "Block this code?" in html
    assert asked.context["title"] == "Block a code"
    assert f'action="{block}"' in html
    assert f'href="{page}" class="button cancel-link"' in html
    assert find_valid_link(code) is not None

    staff_client.post(block, {"post": "yes"})

    assert find_valid_link(code) is None
