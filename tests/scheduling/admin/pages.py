"""The scheduling pages' addresses, the data they send as a browser does, a booking to show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from doorstep.scheduling.models import Booking, WorkOrder
from tests import factories

DENVER = ZoneInfo("America/Denver")
# A Monday in winter, far enough ahead that nothing is in the past.
VISIT_DAY = datetime(2031, 1, 13, tzinfo=DENVER)

BOOKING_ADD = reverse("admin:scheduling_booking_add")
WORK_ORDER_ADD = reverse("admin:scheduling_workorder_add")


def booking_page(booking: Booking) -> str:
    return reverse("admin:scheduling_booking_change", args=[booking.pk])


def work_order_page(work_order: WorkOrder) -> str:
    return reverse("admin:scheduling_workorder_change", args=[work_order.pk])


def at(hour: int, minute: int = 0) -> datetime:
    return VISIT_DAY.replace(hour=hour, minute=minute)


def split(moment: datetime) -> dict[str, str]:
    """A datetime as the admin's date and time boxes send it, in its own time zone."""
    return {"0": f"{moment:%Y-%m-%d}", "1": f"{moment:%H:%M}"}


def times(start: datetime, end: datetime | None) -> dict[str, str]:
    data = {f"start_{key}": value for key, value in split(start).items()}
    if end is not None:
        data |= {f"end_{key}": value for key, value in split(end).items()}
    return data


def shown_times(booking: Booking) -> dict[str, str]:
    """The booking's times as its page shows them, to send back unchanged."""
    zone = booking.time_zone
    return times(booking.start.astimezone(zone), booking.end.astimezone(zone))


def inline_management(client: Client, url: str) -> dict[str, str]:
    """The management form data of every inline on the page, as the browser sends it."""
    data: dict[str, str] = {}
    for inline in client.get(url).context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
    return data


def error_text(response: Any) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def scheduled_booking(**kwargs: Any) -> Booking:
    kwargs.setdefault("start", at(9).astimezone(UTC))
    kwargs.setdefault("end", at(10).astimezone(UTC))
    return factories.BookingFactory(**kwargs)
