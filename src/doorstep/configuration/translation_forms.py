"""Back office forms that edit a record's words in every offered language.

Each translatable field gets one form field per language (`page_title__es`), laid out as
one fieldset per language. An empty field means "not translated": it shows, greyed as
its placeholder, the wording readers of that language get instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import get_language_info

from doorstep.configuration import languages, words

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts, _FieldsetSpec
    from django.utils.functional import _StrPromise


def field_name(name: str, language: str) -> str:
    return f"{name}__{language}"


def translation_fields(model: type[Model], names: tuple[str, ...]) -> dict[str, forms.Field]:
    """One optional form field per translatable field and offered language, each with
    the model field's own checks (length, an email address's form)."""
    found: dict[str, forms.Field] = {}
    for language in words.offered_languages():
        for name, model_field in words.model_fields(model, names).items():
            form_field = model_field.formfield(required=False, help_text="")
            if form_field is None:
                continue
            form_field.label = f"{capfirst(model_field.verbose_name)} ({language})"
            long_text = isinstance(form_field.widget, forms.Textarea)
            form_field.widget.attrs.update(
                {
                    "lang": language,
                    "dir": "rtl" if get_language_info(language)["bidi"] else "ltr",
                    # The back office's own widths, as its other fields have.
                    "class": "vLargeTextField" if long_text else "vTextField",
                    **({"rows": 4} if long_text else {}),
                }
            )
            found[field_name(name, language)] = form_field
    return found


def language_fieldsets(names: tuple[str, ...], *, company_language: str) -> _FieldsetSpec:
    """A fieldset per offered language, the company's default language first."""
    languages = sorted(words.offered_languages(), key=lambda code: code != company_language)
    fieldsets: list[tuple[str | _StrPromise | None, _FieldOpts]] = []
    for language in languages:
        title = words.language_name(language)
        if language == company_language:
            description = (
                "The company's default language: readers of a language without wording of "
                "its own get this. An empty field shows the wording above."
            )
            title = f"{title} · default language"
        else:
            description = (
                "An empty field shows, greyed, what readers of this language get instead: "
                "the default language's wording, else the wording above."
            )
        fieldsets.append(
            (
                title,
                {
                    "fields": tuple(field_name(name, language) for name in names),
                    "description": description,
                    "classes": ("translations", f"translations--{language}"),
                },
            )
        )
    return fieldsets


class TranslationsFormMixin:
    """For a ModelForm with the fields of `translation_fields()`: shows the stored
    translations, the fallback of each as its placeholder, and stores what is typed."""

    translated_fields: tuple[str, ...] = ()
    fields: dict[str, forms.Field]
    instance: Any
    data: Any

    def company_language(self) -> str:
        return languages.company_language()

    def setup_translations(self) -> None:
        stored = self.instance.translations or {}
        company = self.company_language()
        for language in words.offered_languages():
            for name in self.translated_fields:
                form_field = self.fields.get(field_name(name, language))
                if form_field is None:
                    continue
                form_field.initial = (stored.get(language) or {}).get(name, "")
                fallback = (
                    getattr(self.instance, name)
                    if language == company
                    else words.pick(
                        getattr(self.instance, name), stored, name, languages=(company,)
                    )
                )
                if fallback:
                    form_field.widget.attrs["placeholder"] = fallback

    def store_translations(self, cleaned: dict[str, Any]) -> None:
        """Keep what is typed in the translation fields this form has (an empty field:
        no wording of its own), checked; a wrong one is the form's error."""
        typed = {code: dict(found) for code, found in (self.instance.translations or {}).items()}
        for language in words.offered_languages():
            for name in self.translated_fields:
                key = field_name(name, language)
                if key in self.fields:
                    typed.setdefault(language, {})[name] = cleaned.get(key) or ""
        try:
            self.instance.translations = words.cleaned(
                typed, fields=words.model_fields(type(self.instance), self.translated_fields)
            )
        except ValidationError as error:
            self.add_error(None, error)  # type: ignore[attr-defined]


def with_translations[F: forms.ModelForm[Any]](
    form: type[F], model: type[Model], names: tuple[str, ...]
) -> type[F]:
    """`form` with a field per translatable field and language (TranslationsFormMixin
    must be among its bases)."""
    namespace = {"__module__": form.__module__, **translation_fields(model, names)}
    return cast("type[F]", forms.models.ModelFormMetaclass(form.__name__, (form,), namespace))
