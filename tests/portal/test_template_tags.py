"""The layout's own tags write what Django's did: addresses kept once worked out, and the
language switch's options."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import NoReverseMatch
from django.utils import translation

from doorstep.portal.templatetags import kept_urls

CASES = [
    "{% url 'portal:home' %}",
    "{% url 'portal:confirmation' 12 %}",
    "{% url 'portal:confirmation' booking_id=12 %}",
    "{% url 'portal:confirmation' pk %}",
    "{% url 'visit_link' code %}",
    "{% url 'javascript-catalog' LANGUAGE_CODE %}",
    "{% url name %}",
    "{% url 'portal:home' as home %}[{{ home }}]",
    "{% url 'no-such-page' as missing %}[{{ missing }}]",
    "{% url 'visit_link' odd %}",
]
CONTEXT: dict[str, Any] = {
    "pk": 7,
    "code": "a<b>&c",
    "LANGUAGE_CODE": "fr",
    "name": "portal:history",
    "odd": 3.5,  # not a string or an integer: Django's own tag writes it
}


@pytest.mark.parametrize("source", CASES)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_kept_addresses_are_the_ones_djangos_tag_writes(source: str, language: str) -> None:
    kept_urls._addresses.clear()
    request = RequestFactory().get("/")
    with translation.override(language):
        django = Template(source).render(Context(CONTEXT))
        ours = Template("{% load kept_urls %}" + source)
        first = ours.render(Context({**CONTEXT, "request": request}))
        again = ours.render(Context({**CONTEXT, "request": request}))
    assert first == again == django


def test_an_address_is_worked_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    kept_urls._addresses.clear()
    calls: list[str] = []
    real = kept_urls.reverse

    def counting(name: str, **kwargs: Any) -> str:
        calls.append(name)
        return real(name, **kwargs)

    monkeypatch.setattr(kept_urls, "reverse", counting)
    page = Template("{% load kept_urls %}{% url 'portal:home' %} {% url 'portal:confirmation' n %}")
    for n in (1, 1, 2, 1):
        page.render(Context({"n": n}))
    assert calls == ["portal:home", "portal:confirmation", "portal:confirmation"]


def test_at_most_so_many_addresses_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    kept_urls._addresses.clear()
    monkeypatch.setattr(kept_urls, "KEPT", 5)
    page = Template("{% load kept_urls %}{% url 'portal:confirmation' n %}")
    for n in range(20):
        assert page.render(Context({"n": n})) == f"/visits/{n}/"
    assert len(kept_urls._addresses) == 5


def test_an_unknown_name_fails_as_in_django() -> None:
    with pytest.raises(NoReverseMatch):
        Template("{% load kept_urls %}{% url 'no-such-page' %}").render(Context())
    with pytest.raises(TemplateSyntaxError):
        Template("{% load kept_urls %}{% url %}")


# The loop the layout had, kept as the reference.
OPTIONS_AS_A_LOOP = Template(
    "{% load i18n %}{% get_current_language as current %}{% get_available_languages as offered %}"
    "{% get_language_info_list for offered as languages %}"
    '{% for language in languages %}<option value="{{ language.code }}" lang="{{ language.code }}"'
    "{% if language.code == current %} selected{% endif %}>{{ language.name_local|capfirst }}"
    "</option>{% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "es", "fr", "de", "ar", "pt"])
def test_the_language_options_are_those_the_loop_wrote(language: str) -> None:
    with translation.override(language):
        shown = Template("{% load language_options %}{% language_options %}").render(Context())
        assert shown == OPTIONS_AS_A_LOOP.render(Context())
    assert shown.count("<option") == 5
    assert " selected" in shown or language == "pt"


WORDS = [
    '{% translate "Book a visit" %}',
    '{% translate "Change" context "language switch" %}',
    "{% translate 'Day' noop %}",
    '{% translate "Book a visit" as label %}[{{ label }}]',
    "{% translate text %}",
    '{% translate "Book a visit"|upper %}',
    "{% translate text context kind %}",
    '{% trans "Day" %}',
    '{% translate "50%% off & more" %}',
]


@pytest.mark.parametrize("source", WORDS)
def test_kept_words_are_the_ones_djangos_tag_writes(source: str) -> None:
    context = {"text": "Day", "kind": "language switch"}
    ours = Template("{% load i18n kept_words %}" + source)
    django = Template("{% load i18n %}" + source)
    for language in ("en", "es", "ar", "es"):
        with translation.override(language):
            for autoescape in (True, False):
                expected = django.render(Context(context, autoescape=autoescape))
                assert ours.render(Context(context, autoescape=autoescape)) == expected
                assert ours.render(Context(context, autoescape=autoescape)) == expected


def test_a_fixed_text_is_translated_once_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Template('{% load i18n kept_words %}{% translate "Book a visit" %}')
    with translation.override("es"):
        first = page.render(Context())
    calls: list[str] = []
    real = translation._trans.gettext  # type: ignore[attr-defined]

    def counting(message: str) -> str:
        calls.append(message)
        return str(real(message))

    monkeypatch.setattr(translation._trans, "gettext", counting)  # type: ignore[attr-defined]

    with translation.override("es"):
        assert page.render(Context()) == first == "Reservar una visita"
    with translation.override("fr"):
        assert page.render(Context()) != first
    assert calls == ["Book a visit"]
