"""The layout is written once for each kind of page and kept: every page still shows its
own blocks, tokens, messages and return address, and a kept layout never shows one
reader's data to another."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client, RequestFactory
from django.urls import reverse

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.portal.templatetags import layout
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def contact() -> Contact:
    return ContactFactory(user=UserFactory(email="casey@example.test"))


def signed_in(contact: Contact) -> Client:
    client = Client()
    client.force_login(contact.user)
    return client


def test_each_page_of_a_kind_carries_its_own_sign_out_and_language_tokens(
    contact: Contact,
) -> None:
    other = ContactFactory(user=UserFactory(email="robin@example.test"))
    first, second = signed_in(contact), signed_in(other)

    pages = [first.get("/profile/"), second.get("/profile/"), first.get("/profile/")]

    tokens = [TOKEN.findall(page.content.decode()) for page in pages]
    assert all(len(found) >= 2 for found in tokens)  # sign out, and the language switch
    assert set(tokens[0]).isdisjoint(tokens[1])
    # Each token is good for its own session: the sign-out form of the second page works.
    answer = second.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens[1][0]})
    assert answer.status_code == 302
    assert "_auth_user_id" not in second.session


def test_the_language_switch_returns_to_the_page_it_was_on(contact: Contact) -> None:
    client = signed_in(contact)

    for path in ("/profile/", "/profile/?from=mail", "/accessibility/"):
        page = client.get(path).content.decode()

        assert f'name="next" value="{path.replace("&", "&amp;")}"' in page


def test_the_menu_marks_the_page_that_is_open(contact: Contact) -> None:
    client = signed_in(contact)

    for path, name in (
        ("/", "My visits"),
        ("/history/", "Service history"),
        ("/profile/", "Profile"),
    ):
        page = client.get(path).content.decode()

        menu = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
        assert re.findall(r'aria-current="page">([^<]+)<', menu) == [name]


def test_a_visitor_and_a_customer_see_their_own_header(contact: Contact) -> None:
    visitor = Client().get("/accessibility/").content.decode()
    customer = signed_in(contact).get("/accessibility/").content.decode()
    visitor_again = Client().get("/accessibility/").content.decode()

    assert "Sign out" in customer
    assert "Sign out" not in visitor
    assert "Sign out" not in visitor_again
    assert "csrfmiddlewaretoken" not in visitor_again


def test_a_change_of_settings_shows_on_the_next_page() -> None:
    Client().get("/accessibility/")
    settings_row = PortalSettings.load()
    settings_row.company_name = "Brightwater Heating"
    settings_row.contact_phone = "+1 303 555 0142"
    settings_row.text_color = "#102030"
    settings_row.save()

    page = Client().get("/accessibility/").content.decode()

    assert "Brightwater Heating" in page
    assert 'href="tel:+13035550142"' in page
    styles = re.search(r'href="(/branding/[^"]+\.css)"', page)
    assert styles is not None
    assert "#102030" in Client().get(styles.group(1)).content.decode()


def test_messages_show_once_on_the_page_they_were_left_for(contact: Contact) -> None:
    client = signed_in(contact)
    client.get("/")
    answer = client.post(
        "/profile/",
        {
            "first_name": "Casey",
            "last_name": "Jones",
            "email": contact.email,
            "phone": "",
            "communication_preference": "email",
            "preferred_language": "en",
        },
        follow=True,
    )

    assert answer.content.decode().count('class="message message--') == 1
    assert 'class="message message--' not in client.get("/profile/").content.decode()


def test_each_language_has_a_layout_of_its_own(contact: Contact) -> None:
    client = signed_in(contact)

    spanish = client.get("/accessibility/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    contact.preferred_language = "ar"
    contact.save()
    arabic = client.get("/accessibility/").content.decode()

    assert '<html lang="es" dir="ltr">' in spanish
    assert "Cerrar sesión" in spanish or "Salir" in spanish
    assert '<html lang="ar" dir="rtl">' in arabic


# --- The tags themselves ----------------------------------------------------------------


def render(source: str, **context: Any) -> str:
    request = RequestFactory().get("/somewhere/")
    return Template("{% load layout %}" + source).render(Context({"request": request, **context}))


def test_the_layout_sees_only_its_inputs() -> None:
    written = render(
        "{% layout %}[{{ request.path }}][{{ secret }}][{% hole %}{{ secret }}{% endhole %}]"
        "{% endlayout %}",
        secret="one reader's data",
    )

    assert written == "[][][one reader&#x27;s data]"


def test_a_hole_is_written_for_every_page_and_the_rest_is_kept() -> None:
    template = Template(
        "{% load layout %}{% layout %}<p>{{ layout.company_name }}</p>"
        "{% hole %}{{ who }}{% endhole %}<hr>{% endlayout %}"
    )
    request = RequestFactory().get("/")

    pages = [template.render(Context({"request": request, "who": who})) for who in "ab"]

    assert pages == ["<p></p>a<hr>", "<p></p>b<hr>"]
    (node,) = template.nodelist.get_nodes_by_type(layout.LayoutNode)
    assert len(node._kept) == 1


def test_a_marker_in_what_the_layout_shows_gets_the_page_written_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(layout, "_MARKER", "Brightwater")
    settings_row = PortalSettings.load()
    settings_row.company_name = "Brightwater"
    source = (
        "{% layout %}<b>{{ layout.company_name }}</b>"
        "{% hole %}{{ who }}{% endhole %}{% endlayout %}"
    )

    written = render(source, portal=settings_row, who="me")

    assert written == "<b>Brightwater</b>me"


def test_the_kinds_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "KEPT", 2)
    template = Template("{% load layout %}{% layout %}{{ layout.page_title }}{% endlayout %}")
    settings_row = PortalSettings.load()
    for title in ("One", "Two", "Three"):
        settings_row.page_title = title
        assert template.render(Context({"portal": settings_row})) == title

    (node,) = template.nodelist.get_nodes_by_type(layout.LayoutNode)
    assert len(node._kept) == 2


@pytest.mark.parametrize(
    "source",
    [
        "{% layout %}{% block content %}{% endblock %}{% endlayout %}",
        "{% layout %}{% if layout.signed_in %}{% block content %}{% endblock %}{% endif %}"
        "{% endlayout %}",
        "{% layout %}{% for x in layout.company_name %}{% hole %}{{ x }}{% endhole %}{% endfor %}"
        "{% endlayout %}",
        "{% layout %}{% with x=1 %}{% hole %}{{ x }}{% endhole %}{% endwith %}{% endlayout %}",
    ],
)
def test_a_block_outside_a_hole_or_a_hole_in_a_loop_is_refused(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load layout %}" + source)


def test_a_hole_may_sit_in_a_condition_on_the_inputs() -> None:
    template = Template(
        "{% load layout %}{% layout %}{% if layout.authenticated %}in:{% hole %}{{ who }}"
        "{% endhole %}{% else %}out{% endif %}{% endlayout %}"
    )

    assert template.render(Context({"who": "me"})) == "out"
