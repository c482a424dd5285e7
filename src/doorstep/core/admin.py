"""What the back office pages of several apps share: address fields, local time zones,
deletions the API's sync feed hears of."""

from __future__ import annotations

from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from doorstep.core import records

_M = TypeVar("_M", bound=Model)
_P = TypeVar("_P", bound=Model)

ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    ("postal_code", "city"),
    "country",
    ("latitude", "longitude"),
)


def _rendered(response: HttpResponse) -> HttpResponse:
    """Render a page now, inside the time zone the caller activated.

    A TemplateResponse renders after the view returns, once the time zone is no longer
    active; the form would then show in UTC the times it reads in the zone.
    """
    if isinstance(response, TemplateResponse):
        response.render()
    return response


class LocalTimeZoneAdmin(admin.ModelAdmin[_M]):
    """Shows and reads the times of an add or change page in the zone `page_time_zone` gives.

    That is the zone of the person the times concern (the customer, the technician);
    without one, the page keeps the current time zone.
    """

    def page_time_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        return None

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        zone = self.page_time_zone(request, object_id)
        if zone is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(zone):
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))


class DeletionsRecordedAdmin(admin.ModelAdmin[_M]):
    """Deletes one record, or a selection ("Delete selected"), through `records.delete`,
    as the API does: each deleted row, and what went with it, is a tombstone in the
    API's `/deletions` feed, so a system syncing with Doorstep deletes its copy too."""

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        records.delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        records.delete_all(queryset.model, queryset)


class DeletionsRecordedFormSet(BaseInlineFormSet[_M, _P, forms.ModelForm[_M]]):
    """An inline's rows ticked "Delete" go through `records.delete` too."""

    def delete_existing(self, obj: _M, commit: bool = True) -> None:
        if commit:
            records.delete(obj)
