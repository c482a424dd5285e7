"""What the scheduling pages share: saving through services, read-only inlines, local times.

When a service refuses (`DomainError`), the same form comes back with the refusal as its
error, what was typed kept, and nothing saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from doorstep.core.errors import DomainError
from doorstep.users.models import User

_M = TypeVar("_M", bound=Model)
_P = TypeVar("_P", bound=Model)

# The refusal of the first attempt at saving, carried by the request to the second
# rendering of that same request, and by no other.
REFUSAL_ATTRIBUTE = "doorstep_service_refusal"


def staff_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def adopt(target: Model, saved: Model) -> None:
    """Turn the admin's unsaved instance into the row a service created.

    The admin goes on with its own instance (for the history log, the message and the
    redirect), so it must carry the new row's values and know it is saved.
    """
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M %Z}"


def _form_refusing[M: Model](
    form_class: type[forms.ModelForm[M]], message: str
) -> type[forms.ModelForm[M]]:
    """A subclass of the form that is invalid with `message` as its error."""

    def clean(self: forms.ModelForm[M]) -> dict[str, Any] | None:
        form_class.clean(self)
        raise ValidationError(message)

    # The form's own metaclass, so the subclass is a ModelForm like the admin's.
    metaclass: Any = type(form_class)
    refusing = metaclass(form_class.__name__, (form_class,), {"clean": clean})
    return cast(type[forms.ModelForm[M]], refusing)


class ServiceBackedAdmin(admin.ModelAdmin[_M]):
    """Saves through services and shows their refusals on the form instead of failing."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as refusal:
            if request.method != "POST":
                raise
            # The admin saves inside one transaction, which the refusal has rolled back.
            # Going through the view again renders the same input with the refusal as
            # the form's error, with inlines and widgets as the admin builds them.
            setattr(request, REFUSAL_ATTRIBUTE, refusal.message)
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            finally:
                delattr(request, REFUSAL_ATTRIBUTE)

    def get_form(
        self, request: HttpRequest, obj: _M | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[_M]]:
        form_class = super().get_form(request, obj, change, **kwargs)
        message: str | None = getattr(request, REFUSAL_ATTRIBUTE, None)
        return form_class if message is None else _form_refusing(form_class, message)


class ReadOnlyInline(admin.TabularInline[_M, _P]):
    """Rows to read on their parent's page: none is added, changed or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: _P | None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: HttpRequest, obj: _P | None = None) -> bool:
        return False
