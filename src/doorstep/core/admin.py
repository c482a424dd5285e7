"""What the back office pages of several apps share: address fields, local time zones."""

from __future__ import annotations

from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

_M = TypeVar("_M", bound=Model)

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
