"""The accessibility statement: public, linked from every customer page, in the reader's
language, with the company's own ways to report a problem."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.configuration.models import PortalSettings
from tests.factories import BookingFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

STATEMENT = "/accessibility/"


def company(**fields: str) -> None:
    PortalSettings.objects.update_or_create(
        pk=1, defaults={"company_name": "Front Range Heating", **fields}
    )


def test_anyone_can_read_the_statement_without_signing_in(client: Client) -> None:
    company()

    response = client.get(STATEMENT)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Accessibility statement</h1>" in page
    assert "WCAG" in page
    assert "2.2" in page
    assert "level AA" in page
    assert "keyboard alone" in page
    assert "Known limits" in page
    assert "Front Range Heating" in page


def test_it_says_how_to_reach_the_company(client: Client) -> None:
    company(contact_email="help@frontrange.example", contact_phone="+1 303 555 0100")

    page = client.get(STATEMENT).content.decode()

    assert 'href="mailto:help@frontrange.example"' in page
    assert 'href="tel:+13035550100"' in page


def test_without_contact_details_it_points_to_the_messages(client: Client) -> None:
    company(contact_email="", contact_phone="")

    page = client.get(STATEMENT).content.decode()

    assert "mailto:" not in page
    assert "Reply to any message we sent you" in page


def test_it_reads_in_the_browsers_language(client: Client) -> None:
    company()

    page = client.get(STATEMENT, headers={"accept-language": "ar"}).content.decode()

    assert 'lang="ar" dir="rtl"' in page
    assert "Accessibility statement" not in page


@pytest.mark.parametrize("who", ["nobody", "customer"])
def test_every_customer_page_links_to_it_from_its_footer(client: Client, who: str) -> None:
    if who == "customer":
        contact = ContactFactory(user=UserFactory())
        booking = BookingFactory(work_order__account=contact.account)
        client.force_login(contact.user)
        pages = [
            reverse("portal:home"),
            reverse("portal:profile"),
            reverse("portal:book"),
            reverse("portal:confirmation", args=[booking.pk]),
        ]
    else:
        pages = [reverse("account_login"), reverse("portal:invite"), "/no/such/page/"]

    for path in pages:
        footer = client.get(path).content.decode().split('<footer class="site-footer">')[1]
        assert f'href="{STATEMENT}"' in footer, path


def test_it_answers_only_reading(client: Client) -> None:
    assert client.post(STATEMENT).status_code == 405
