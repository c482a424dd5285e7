from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, cast

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import validators
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python
from phonenumbers import PhoneNumberType

from doorstep.catalog.models import IncidentType
from doorstep.configuration import words
from doorstep.configuration.models import PortalSettings
from doorstep.core.prepared import PreparedQuery
from doorstep.customers.models import Asset, CommunicationPreference, Contact
from doorstep.portal import widgets


def count_characters(form: forms.BaseForm) -> None:
    """Long texts are counted on the page, not cut at their limit.

    A `maxlength` attribute makes the browser drop whatever is typed or pasted past the
    limit without a word. Instead the page's script shows how many characters are left
    (`data-max-length`), and the server refuses a longer text, saying so and keeping it.
    """
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
            limit = field.max_length
            if limit is None:
                continue
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-max-length"] = str(limit)
            field.validators = [
                v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)
            ]
            field.validators.append(functools.partial(_at_most, limit=limit))


def _at_most(value: str, *, limit: int) -> None:
    if len(value) > limit:
        raise forms.ValidationError(
            _(
                "Please keep this under %(limit)s characters (it has %(length)s): "
                "shorten it and send it again."
            )
            % {"limit": f"{limit:,}", "length": f"{len(value):,}"},
            code="max_length",
        )


class InvitationForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Invitation code"),
        max_length=40,
        help_text=gettext_lazy("The code from your invitation email, for example 7K3M-9PQ2-…"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100, required=False)
    phone = PhoneNumberField(
        label=gettext_lazy("Mobile phone"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"}),
    )
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=settings.LANGUAGES
    )
    communication_preference = forms.ChoiceField(
        label=gettext_lazy("How should we tell you about your visits?"),
        choices=CommunicationPreference.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, region: str | None, **kwargs: Any) -> None:
        """`region`: the country whose national numbers may be typed without a prefix."""
        super().__init__(*args, **kwargs)
        phone = cast(PhoneNumberField, self.fields["phone"])
        phone.region = region
        mobile = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        example = to_python(mobile).as_national if region and mobile else "+1 303 555 0142"
        # Kept left to right inside right-to-left text (first strong isolate … pop).
        example = f"\u2068{example}\u2069"
        phone.help_text = _("For text messages about your visits, for example %(example)s.") % {
            "example": example
        }
        phone.error_messages["invalid"] = _(
            "This does not look like a phone number. Type it as you would dial it, "
            "for example %(example)s, or with the country code: +1 303 555 0142."
        ) % {"example": example}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wants_texts = cleaned.get("communication_preference") in {
            CommunicationPreference.SMS,
            CommunicationPreference.BOTH,
        }
        if wants_texts and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("We need your mobile number to send you text messages."))
        return cleaned


class _RowChoices(ModelChoiceIterator[Any]):
    """A field's choices from its `rows()`, which are its queryset's rows."""

    field: RowChoiceField[Any]

    def __init__(self, field: RowChoiceField[Any]) -> None:
        # Not Django's, which reads the field's queryset: these choices never need it.
        self.field = field

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.field.rows():
            yield self.choice(row)

    def __len__(self) -> int:
        return len(self.field.rows()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.rows())


class RowChoiceField[M: Model](forms.ModelChoiceField[M]):
    """A model choice whose choices are read by a prepared query (core.prepared) when the
    form is shown: building and compiling the queryset cost more than reading it. The
    queryset, which a choice sent back is checked against, is built only then: showing
    the form needs none."""

    iterator = _RowChoices

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.read_rows: Callable[[], list[M]] | None = None
        self.build_queryset: Callable[[], QuerySet[M]] | None = None
        self._rows: list[M] | None = None
        super().__init__(*args, **kwargs)

    def read_from(
        self, *, rows: Callable[[], list[M]], queryset: Callable[[], QuerySet[M]]
    ) -> None:
        """The choices are `rows()`, and a choice sent back must be in `queryset()`."""
        self.read_rows, self.build_queryset = rows, queryset
        self.__dict__["_queryset"] = None
        self._rows = None
        self.widget.choices = self.choices  # as setting a queryset does: this field's rows

    def rows(self) -> list[M]:
        if self._rows is None:
            self._rows = (
                self.read_rows() if self.read_rows is not None else list(self.queryset or ())
            )
        return self._rows

    def _get_queryset(self) -> QuerySet[M] | None:
        found: QuerySet[M] | None = self.__dict__.get("_queryset")
        if found is None and self.build_queryset is not None:
            found = self.__dict__["_queryset"] = self.build_queryset()
        return found

    def _set_queryset(self, queryset: QuerySet[M] | None) -> None:
        forms.ModelChoiceField._set_queryset(self, queryset)  # type: ignore[attr-defined]

    queryset = property(_get_queryset, _set_queryset)


class ServiceTypeField(RowChoiceField[IncidentType]):
    def label_from_instance(self, obj: IncidentType) -> str:
        return obj.shown_name


def _service_types(reading_order: tuple[str, ...]) -> PreparedQuery[IncidentType]:
    """The service types customers may book, in the name order of a reader of these
    languages, with what the page shows of them: one prepared query for each order
    (there are a handful)."""
    found = _SERVICE_TYPES.get(reading_order)
    if found is None:
        language, company_language = reading_order[0], reading_order[-1]
        found = _SERVICE_TYPES[reading_order] = PreparedQuery(
            lambda: (
                IncidentType.objects.bookable_in_portal()
                .in_name_order(language=language, company_language=company_language)
                .only("pk", "name", "display_name", "description", "translations")
            )
        )
    return found


_SERVICE_TYPES: dict[tuple[str, ...], PreparedQuery[IncidentType]] = {}
_account_equipment = PreparedQuery(
    lambda account_id: Asset.objects.filter(account_id=account_id).select_related(
        "functional_location"
    ),
    int,
)


class EquipmentField(RowChoiceField[Asset]):
    def label_from_instance(self, obj: Asset) -> str:
        # Two boilers of the same model at two addresses must read differently.
        site = obj.functional_location
        where = f"{site.name}, {site.address_line1}" if site is not None else _("main address")
        return f"{obj} · {where}"


class VisitForm(forms.Form):
    asset = EquipmentField(
        label=gettext_lazy("Equipment"),
        queryset=None,  # the contact's own (read_from)
        required=False,
        empty_label=gettext_lazy("No particular equipment"),
        help_text=gettext_lazy("Choose the equipment the visit is for, if any."),
        widget=widgets.Select,
    )
    service_type = ServiceTypeField(
        label=gettext_lazy("Service type"),
        queryset=None,  # those customers may book, in their reading order (read_from)
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the service you need.")},
    )
    day = forms.DateField(
        label=gettext_lazy("Day"),
        required=False,
        widget=forms.Select,
        error_messages={"invalid": gettext_lazy("Choose one of the days offered.")},
    )
    start = forms.CharField(label=gettext_lazy("Time"), required=False, widget=forms.RadioSelect)
    details = forms.CharField(
        label=gettext_lazy("Anything the technician should know?"),
        required=False,
        max_length=2000,
        widget=widgets.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For example how to get in, or what the problem looks like."),
    )

    def __init__(self, *args: Any, contact: Contact, portal: PortalSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asset_field = cast(EquipmentField, self.fields["asset"])
        asset_field.read_from(
            rows=functools.partial(_account_equipment, contact.account_id),
            queryset=functools.partial(_account_equipment.queryset, contact.account_id),
        )
        service_field = cast(ServiceTypeField, self.fields["service_type"])
        order = words.reading_order(translation.get_language(), portal.default_language)
        service_types = _service_types(order)
        # A choice sent back is read whole: booking it needs its duration and skills.
        service_field.read_from(
            rows=service_types, queryset=IncidentType.objects.bookable_in_portal
        )
        if not portal.asset_selection_enabled:
            del self.fields["asset"]
        if not portal.additional_details_enabled:
            del self.fields["details"]
        count_characters(self)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you cancel?"),
        max_length=500,
        widget=widgets.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Please tell us briefly why you cancel.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        count_characters(self)
