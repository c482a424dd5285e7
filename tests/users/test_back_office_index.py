"""The back office's index: the business first, the developer and system sections last."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.factories import StaffUserFactory


def section_names(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" class="section">([^<]+)</a>', html)


def test_the_index_leads_with_the_business_and_ends_with_developer_sections(
    staff_client: Client,
) -> None:
    html = staff_client.get(reverse("admin:index")).content.decode()

    sections = section_names(html)
    assert sections[:5] == [
        "Portal configuration",
        "Scheduling",
        "Customers",
        "Technicians",
        "Service catalog",
    ]
    assert sections.index("Messages") < sections.index("Developer and system")
    assert sections[-1] == "Developer and system"
    developer = html[html.index(">Developer and system<") :]
    for name in ("Groups", "Social application tokens", "Task Results", "Authenticators"):
        assert f">{name}</a>" in developer
        assert html.count(f">{name}</a>") == 1  # not also in its own app's section
    assert ">API keys</a>" in developer
    assert "Invitations and visit links" in sections
    # Visits lead the scheduling section.
    scheduling = html[html.index(">Scheduling<") : html.index(">Customers<")]
    assert scheduling.index(">Bookings<") < scheduling.index(">Work orders<")


def test_an_apps_own_page_still_lists_its_models(staff_client: Client) -> None:
    html = staff_client.get(reverse("admin:app_list", args=["access"])).content.decode()

    assert ">API keys</a>" in html
    assert ">Invitations</a>" in html


@pytest.mark.django_db
def test_office_staff_with_some_rights_see_them_in_the_same_order(client: Client) -> None:
    office = StaffUserFactory(is_superuser=False)
    office.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_booking", "view_contact", "view_notification", "view_group"]
        )
    )
    client.force_login(office)

    html = client.get(reverse("admin:index")).content.decode()

    assert section_names(html) == ["Scheduling", "Customers", "Messages", "Developer and system"]


class _Anchors(HTMLParser):
    """The ids of a page and the fragments its links to itself lead to."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.ids: list[str] = []
        self.fragments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        path, _, fragment = str(values.get("href") or "").partition("#")
        if tag == "a" and fragment and path in ("", self.page):
            self.fragments.append(fragment)


def test_every_link_within_the_index_leads_to_a_place_on_it(staff_client: Client) -> None:
    index = reverse("admin:index")
    anchors = _Anchors(index)
    anchors.feed(staff_client.get(index).content.decode())
    assert "developer" in anchors.fragments  # the "Developer and system" caption
    assert [f for f in anchors.fragments if f not in anchors.ids] == []
    assert len(anchors.ids) == len(set(anchors.ids))
