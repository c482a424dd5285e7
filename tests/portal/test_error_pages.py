"""The pages for an unknown address and for a failure, and the site's icon."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from doorstep.configuration.models import PortalSettings
from tests.factories import BookingFactory, ContactFactory, UserFactory

ICON_LINK = 'rel="icon"'


@pytest.mark.django_db
def test_an_unknown_address_gets_the_portals_own_not_found_page(client: Client) -> None:
    PortalSettings.objects.update_or_create(pk=1, defaults={"company_name": "Front Range Heating"})

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert "Front Range Heating" in page
    assert "portal/portal.css" in page
    assert f'href="{reverse("portal:home")}"' in page


def test_the_failure_page_renders_without_the_database_or_a_request_context() -> None:
    # No django_db mark: any query here fails the test.
    response = server_error(RequestFactory().get("/book/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "portal/portal.css" in page
    assert ICON_LINK in page


@pytest.mark.django_db  # every page, this redirect too, reads the company's language
def test_the_icon_is_served_by_the_project(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("portal/favicon.svg")
    assert finders.find("portal/favicon.svg")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["nobody", "customer"])
def test_every_page_layout_links_the_icon(client: Client, who: str) -> None:
    # With the link on the page, browsers do not ask for /favicon.ico on their own.
    if who == "customer":
        contact = ContactFactory(user=UserFactory())
        BookingFactory(work_order__account=contact.account)
        client.force_login(contact.user)
        pages = [reverse("portal:home"), reverse("portal:profile"), reverse("portal:book")]
    else:
        pages = [reverse("account_login"), reverse("portal:invite"), "/no/such/page/"]

    for path in pages:
        assert ICON_LINK in client.get(path).content.decode(), path
