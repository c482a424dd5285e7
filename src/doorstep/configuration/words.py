"""The company's own words in each language: what it calls itself and its services.

A record whose words customers read (the portal settings, a service type) keeps its
wording in its own fields, and in a `translations` field of the shape
``{"es": {"display_name": "Revisión de la caldera"}, ...}``. A reader of one language
gets, first that is set: the wording in their language, the wording in the company's
default language, the record's own field (docs/decisions/0018-the-companys-words-in-each-
language.md says why this shape).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Field, Model

type Translations = Mapping[str, Mapping[str, str]]


def copied(translations: Any) -> Any:
    """The words in every language ({language: {field: words}}) as a copy of their own."""
    if isinstance(translations, dict) and all(isinstance(w, dict) for w in translations.values()):
        return {language: dict(words) for language, words in translations.items()}
    return copy.deepcopy(translations)


def offered_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


def pick(
    base: str, translations: Translations | None, field: str, *, languages: tuple[str, ...]
) -> str:
    """The first wording of `field` set for one of `languages` (in that order), else `base`."""
    for code in languages:
        words = (translations or {}).get(code) or {}
        value = words.get(field) if isinstance(words, Mapping) else None
        if isinstance(value, str) and value.strip():
            return value
    return base


def reading_order(language: str | None, company_language: str) -> tuple[str, ...]:
    """The languages a reader of `language` is given the company's words in, best first."""
    if not language or language == company_language:
        return (company_language,)
    return (language, company_language)


def cleaned(value: object, *, fields: Mapping[str, Field[Any, Any]]) -> dict[str, dict[str, str]]:
    """The translations, checked and tidied: offered languages, known fields, valid text.

    `fields` are the translatable model fields by name: each wording passes its field's
    own checks (its length, an email address's form). Empty wordings are dropped, so an
    empty field in a form means "not translated". Raises ValidationError naming what is
    wrong.
    """
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(
            "Translations are an object with a language code for each key, for example "
            '{"es": {"display_name": "…"}}.',
            code="invalid_translations",
        )
    languages = offered_languages()
    result: dict[str, dict[str, str]] = {}
    for code, words in value.items():
        if code not in languages:
            raise ValidationError(
                f"“{code}” is not an offered language; use one of {', '.join(languages)}.",
                code="invalid_translations",
            )
        if not isinstance(words, Mapping):
            raise ValidationError(
                f"The translations for “{code}” are an object of field names and their wording.",
                code="invalid_translations",
            )
        kept: dict[str, str] = {}
        for name, given in words.items():
            if name not in fields:
                raise ValidationError(
                    f"“{name}” cannot be translated; translate {', '.join(fields)}.",
                    code="invalid_translations",
                )
            if given is None:
                continue
            if not isinstance(given, str):
                raise ValidationError(
                    f"The {code} wording of {name} must be text.", code="invalid_translations"
                )
            text = given.strip()
            if not text:
                continue
            try:
                fields[name].run_validators(text)
            except ValidationError as error:
                raise ValidationError(
                    f"The {code} wording of {name}: {' '.join(error.messages)}",
                    code="invalid_translations",
                ) from error
            kept[name] = text
        if kept:
            result[code] = kept
    return result


def model_fields(model: type[Model], names: tuple[str, ...]) -> dict[str, Field[Any, Any]]:
    """The translatable fields of a model by name, for `cleaned()`."""
    found: dict[str, Field[Any, Any]] = {}
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, Field):
            raise TypeError(f"{model.__name__}.{name} is not a field that holds words.")
        found[name] = field
    return found
