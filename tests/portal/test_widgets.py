"""The select box and the service type cards written in Python: the markup Django's
templates wrote, for every kind of option and attribute, escaped."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from doorstep.configuration.models import PortalSettings
from doorstep.portal import widgets
from doorstep.portal.forms import VisitForm
from tests.factories import AccountFactory, AssetFactory, ContactFactory, IncidentTypeFactory

CHOICES: list[Any] = [
    ("", "No particular equipment"),
    (1, "Boiler <Vaillant> & co"),
    ("two", "Quote \" and ' apostrophe"),
    ("Upstairs", [(3, "Bathroom fan"), (4, "Heat pump · attic")]),
    (5, "Dishwasher"),
]


@pytest.mark.parametrize("value", [None, "", 1, "1", "two", 4, "missing", ["1", 5]])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_asset", "aria-describedby": "id_asset_helptext"},
        {"id": "x", "required": True, "disabled": False, "data-note": '<"&>'},
    ],
)
def test_the_select_box_is_written_as_djangos_template_writes_it(
    value: Any, attrs: dict[str, Any] | None
) -> None:
    ours = widgets.Select(choices=CHOICES).render("asset", value, attrs)
    django = forms.Select(choices=CHOICES).render("asset", value, attrs)
    assert ours == django


def test_a_multiple_select_and_option_attributes_are_written_the_same() -> None:
    def marked(widget_class: type[forms.Select]) -> type[forms.Select]:
        class Marked(widget_class):  # type: ignore[valid-type,misc]
            def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
                option: dict[str, Any] = super().create_option(*args, **kwargs)
                option["attrs"]["data-kind"] = "equipment & more"
                return option

        return Marked

    Marked, DjangoMarked = marked(widgets.Select), marked(forms.Select)

    ours = Marked(choices=CHOICES).render("asset", 5, {"multiple": True})
    assert ours == DjangoMarked(choices=CHOICES).render("asset", 5, {"multiple": True})
    assert 'data-kind="equipment &amp; more"' in ours


@pytest.mark.parametrize(
    "value",
    [None, "", "Gate code 4321", "<script>alert('x')</script> & \"quotes\"", "two\nlines", 0],
)
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_details", "rows": 4, "data-max-length": "2000", "required": True}]
)
def test_the_text_area_is_written_as_djangos_template_writes_it(
    value: Any, attrs: dict[str, Any] | None
) -> None:
    ours = widgets.Textarea(attrs={"rows": 3}).render("details", value, attrs)
    assert ours == forms.Textarea(attrs={"rows": 3}).render("details", value, attrs)


# The loop book.html had, kept here as the reference the cards must match.
CARDS_AS_A_LOOP = Template(
    """{% load i18n %}{% for option in field %}
          <label class="choice choice--card"><input type="{{ option.data.type }}" name="{{ option.data.name }}" value="{{ option.data.value }}"{% for name, value in option.data.attrs.items %}{% if value is not False %} {{ name }}{% if value is not True %}="{{ value }}"{% endif %}{% endif %}{% endfor %}> <span><strong>{{ option.choice_label }}</strong>
            {% with description=option.data.value.instance.shown_description %}{% if description %}<span class="help">{{ description }}</span>{% endif %}{% endwith %}</span></label>
        {% empty %}
          <p class="empty">{% translate "No services can be booked online at the moment. Please call us." %}</p>
        {% endfor %}"""  # noqa: E501 (the template as it was)
)
CARDS = Template("{% load booking_choices %}{{ field|service_cards }}")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    "data", [None, {}, {"service_type": "first"}, {"service_type": "999999"}, {"asset": "x"}]
)
def test_the_service_type_cards_are_the_markup_of_the_loop_they_replace(
    language: str, data: dict[str, str] | None
) -> None:
    contact = ContactFactory(account=AccountFactory())
    AssetFactory(account=contact.account)
    first = IncidentTypeFactory(
        portal_enabled=True,
        display_name='Boiler <service> & "repair"',
        description="Once a year, before winter & after.",
        translations={"ar": {"display_name": "صيانة الغلاية"}},
    )
    IncidentTypeFactory(portal_enabled=True, display_name="Air conditioner", description="")
    IncidentTypeFactory(portal_enabled=False, display_name="Hidden")
    if data and data.get("service_type") == "first":
        data = {"service_type": str(first.pk)}
    with translation.override(language):
        form = VisitForm(data, contact=contact, portal=PortalSettings.load())
        if data is not None:
            form.is_valid()  # errors mark the buttons aria-invalid
        field = form["service_type"]
        expected = CARDS_AS_A_LOOP.render(Context({"field": field}))
        shown = CARDS.render(Context({"field": field}))
    assert shown == expected
    assert shown.count('name="service_type"') == 2
    assert "&lt;service&gt; &amp; &quot;repair&quot;" in shown or language == "ar"


@pytest.mark.django_db
def test_no_service_types_says_so_in_the_pages_language() -> None:
    contact = ContactFactory(account=AccountFactory())
    for language in ("en", "fr"):
        with translation.override(language):
            field = VisitForm(None, contact=contact, portal=PortalSettings.load())["service_type"]
            expected = CARDS_AS_A_LOOP.render(Context({"field": field}))
            assert CARDS.render(Context({"field": field})) == expected
    assert 'class="empty"' in expected
