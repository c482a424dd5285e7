"""The booking pages: booking a technician, moving a visit and its status, its history.

A visit's times are shown, and typed, in the customer's time zone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.configuration.admin import CompanyTimeZoneListAdmin
from doorstep.core.admin import LocalTimeZoneAdmin
from doorstep.history.admin import BOOKING_INLINES
from doorstep.scheduling import services
from doorstep.scheduling.admin.base import (
    ReadOnlyInline,
    ServiceBackedAdmin,
    adopt,
    local_time,
    staff_user,
)
from doorstep.scheduling.forms import BookingAddForm, BookingChangeForm, status_move_fields
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange
from doorstep.scheduling.selectors import booking_fit_warnings
from doorstep.users.models import User

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


class StatusHistoryInline(ReadOnlyInline[BookingStatusChange, Booking]):
    model = BookingStatusChange
    fields = ("from_status", "to_status", "changed_at", "changed_by")
    readonly_fields = fields
    verbose_name_plural = "status history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[BookingStatusChange]:
        return super().get_queryset(request).select_related("changed_by")

    def has_view_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return request.user.has_perm("scheduling.view_booking")


@admin.register(Booking)
class BookingAdmin(
    CompanyTimeZoneListAdmin[Booking], LocalTimeZoneAdmin[Booking], ServiceBackedAdmin[Booking]
):
    # The list's date drill-down and date filter group visits by the company's days;
    # each visit's own time is shown in its customer's zone.
    list_display = (
        "reference",
        "work_order",
        "service_type",
        "account",
        "resource",
        "local_start",
        "status",
    )
    list_filter = (
        "status",
        "resource",
        "work_order__incident_type",
        "created_via_portal",
        "start",
    )
    search_fields = ("reference", "work_order__number", "work_order__account__name")
    autocomplete_fields = ("work_order", "resource")
    date_hierarchy = "start"
    inlines = (StatusHistoryInline, *BOOKING_INLINES)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        # The list and the change page both show the account, its time zone and the
        # service type of each booking.
        return (
            super()
            .get_queryset(request)
            .select_related("work_order__account", "work_order__incident_type", "resource")
        )

    def page_time_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        # A visit's times are shown, and typed, in the customer's time zone.
        zone_name = (
            Booking.objects.filter(pk=object_id)
            .values_list("work_order__account__time_zone", flat=True)
            .first()
            if object_id and object_id.isdigit()
            else None
        )
        return None if zone_name is None else ZoneInfo(zone_name)

    def get_form(
        self,
        request: HttpRequest,
        obj: Booking | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[Booking]]:
        kwargs["form"] = BookingChangeForm if obj is not None else BookingAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Booking | None = None) -> _FieldsetSpec:
        if obj is None:
            return [(None, {"fields": ("work_order", "resource", "start", "end")})]
        status_fields: list[str] = ["status", *status_move_fields(obj)]
        if obj.status == BookingStatus.CANCELED:
            status_fields.append("cancel_reason")
        if obj.status == BookingStatus.COMPLETED:
            status_fields.append("completed_at")
        return [
            (
                None,
                {
                    "fields": (
                        "reference",
                        "work_order_link",
                        "account_link",
                        "service_type",
                        "resource",
                        ("start", "end"),
                        "time_zone_note",
                        "created_via_portal",
                    )
                },
            ),
            ("Status", {"fields": tuple(status_fields)}),
            ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
        ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Booking | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        fields: tuple[str, ...] = (
            "reference",
            "work_order_link",
            "account_link",
            "service_type",
            "resource",
            "time_zone_note",
            "created_via_portal",
            "status",
            "cancel_reason",
            "completed_at",
            "created_at",
            "updated_at",
        )
        # Moving a visit that is under way is not a matter of editing two fields.
        if obj.status != BookingStatus.SCHEDULED:
            fields = (*fields, "start", "end")
        return fields

    def get_inlines(
        self, request: HttpRequest, obj: Booking | None
    ) -> tuple[type[admin.options.InlineModelAdmin[Any, Any]], ...]:
        return tuple(self.inlines) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        # A booking is canceled, with a reason the customer sees, never deleted.
        return False

    def save_model(
        self, request: HttpRequest, obj: Booking, form: forms.ModelForm[Booking], change: bool
    ) -> None:
        user = staff_user(request)
        if not change:
            booking = services.create_booking(
                work_order=obj.work_order,
                resource=obj.resource,
                start=obj.start,
                end=obj.end,
                created_by=user,
            )
            adopt(obj, booking)
            self._warn_of_poor_fit(request, booking)
            return
        if {"start", "end"} & set(form.changed_data):
            self._move(obj, user)
            self._warn_of_poor_fit(request, obj)
        new_status = form.cleaned_data.get("new_status")
        if new_status:
            services.set_status(
                booking=obj,
                status=new_status,
                changed_by=user,
                cancel_reason=form.cleaned_data.get("reason_for_canceling", ""),
                completion_note=form.cleaned_data.get("completion_note", ""),
            )

    def _warn_of_poor_fit(self, request: HttpRequest, booking: Booking) -> None:
        """Saved, as the office asked; what the customers' pages would not have offered."""
        for warning in booking_fit_warnings(
            resource=booking.resource,
            incident_type=booking.work_order.incident_type,
            start=booking.start,
            end=booking.end,
        ):
            self.message_user(request, warning, messages.WARNING)

    def _move(self, booking: Booking, user: User) -> None:
        """New times typed for a Scheduled booking: the reschedule service checks them again."""
        if Booking.objects.filter(pk=booking.pk, status=BookingStatus.SCHEDULED).exists():
            services.reschedule(
                booking=booking, start=booking.start, end=booking.end, changed_by=user
            )
        else:
            raise services.InvalidBooking(
                "The booking is no longer Scheduled, so its times can no longer be changed."
            )

    @admin.display(description="service type", ordering="work_order__incident_type__name")
    def service_type(self, booking: Booking) -> str:
        return str(booking.work_order.incident_type)

    @admin.display(description="account", ordering="work_order__account__name")
    def account(self, booking: Booking) -> str:
        return booking.work_order.account.name

    @admin.display(description="start (customer's time)", ordering="start")
    def local_start(self, booking: Booking) -> str:
        return local_time(booking.start, booking.time_zone)

    @admin.display(description="work order")
    def work_order_link(self, booking: Booking) -> SafeString:
        url = reverse("admin:scheduling_workorder_change", args=[booking.work_order_id])
        return format_html('<a href="{}">{}</a>', url, booking.work_order)

    @admin.display(description="account")
    def account_link(self, booking: Booking) -> SafeString:
        account = booking.work_order.account
        url = reverse("admin:customers_account_change", args=[account.pk])
        return format_html(
            '<a href="{}">{}</a><br>{}', url, account.name, booking.work_order.one_line_address
        )

    @admin.display(description="time zone")
    def time_zone_note(self, booking: Booking) -> str:
        return f"{booking.time_zone.key} (the customer's): the times above are in this zone."
