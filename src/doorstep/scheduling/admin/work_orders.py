"""The work order pages: opening one, its visits and timeline, notes added to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.core.admin import ADDRESS_FIELDS, DeletionsRecordedAdmin
from doorstep.scheduling import services
from doorstep.scheduling.admin.base import (
    ReadOnlyInline,
    ServiceBackedAdmin,
    adopt,
    local_time,
    staff_user,
)
from doorstep.scheduling.forms import WorkOrderAddForm, WorkOrderChangeForm
from doorstep.scheduling.models import Booking, TimelineNote, WorkOrder

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


class BookingInline(ReadOnlyInline[Booking, WorkOrder]):
    """The work order's visits, to read; a booking changes on its own page."""

    model = Booking
    fields = ("booking_link", "resource", "visit_time", "status")
    readonly_fields = fields
    verbose_name_plural = "visits"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        return super().get_queryset(request).select_related("resource", "work_order__account")

    @admin.display(description="booking")
    def booking_link(self, booking: Booking) -> SafeString:
        url = reverse("admin:scheduling_booking_change", args=[booking.pk])
        return format_html('<a href="{}">{}</a>', url, booking.reference)

    @admin.display(description="time (customer's time zone)")
    def visit_time(self, booking: Booking) -> str:
        zone = booking.time_zone
        return f"{local_time(booking.start, zone)} – {timezone.localtime(booking.end, zone):%H:%M}"


class TimelineInline(ReadOnlyInline[TimelineNote, WorkOrder]):
    """The notes written so far; the timeline is a history, so they are not edited."""

    model = TimelineNote
    fields = ("created_at", "author", "text", "customer_visible")
    readonly_fields = fields
    verbose_name_plural = "timeline"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimelineNote]:
        return super().get_queryset(request).select_related("author")


class NewTimelineNoteFormSet(
    BaseInlineFormSet[TimelineNote, WorkOrder, forms.ModelForm[TimelineNote]]
):
    """Blank rows for new notes; WorkOrderAdmin saves them through the service."""


class NewTimelineNoteInline(admin.TabularInline[TimelineNote, WorkOrder]):
    model = TimelineNote
    formset = NewTimelineNoteFormSet
    fields = ("text", "customer_visible")
    extra = 1
    can_delete = False
    verbose_name = "new note"
    verbose_name_plural = "add to the timeline"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimelineNote]:
        return super().get_queryset(request).none()

    def get_formset(
        self, request: HttpRequest, obj: WorkOrder | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[TimelineNote, WorkOrder, forms.ModelForm[TimelineNote]]]:
        kwargs["widgets"] = {"text": forms.Textarea(attrs={"rows": 2, "cols": 60})}
        return super().get_formset(request, obj, **kwargs)


@admin.register(WorkOrder)
class WorkOrderAdmin(DeletionsRecordedAdmin[WorkOrder], ServiceBackedAdmin[WorkOrder]):
    list_display = (
        "number",
        "account",
        "incident_type",
        "source",
        "city",
        "visit_count",
        "created_at",
    )
    list_select_related = ("account", "incident_type")
    list_filter = ("source", "incident_type", "created_at")
    search_fields = ("number", "external_id", "account__name")
    autocomplete_fields = ("account", "incident_type", "reported_by", "asset")
    date_hierarchy = "created_at"
    inlines = (BookingInline, TimelineInline, NewTimelineNoteInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkOrder]:
        return super().get_queryset(request).annotate(visit_count=Count("bookings"))

    def get_form(
        self,
        request: HttpRequest,
        obj: WorkOrder | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[WorkOrder]]:
        kwargs["form"] = WorkOrderChangeForm if obj is not None else WorkOrderAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: WorkOrder | None = None) -> _FieldsetSpec:
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": (
                            "account",
                            "incident_type",
                            "reported_by",
                            "asset",
                            "instructions",
                            "external_id",
                        ),
                        "description": "The service address is copied from the asset's "
                        "location, or else from the account, when the work order is saved.",
                    },
                )
            ]
        return [
            (
                None,
                {
                    "fields": (
                        "number",
                        "account",
                        "incident_type",
                        "reported_by",
                        "asset",
                        "instructions",
                        ("source", "external_id"),
                        "book_visit",
                    )
                },
            ),
            (
                "Service address",
                {
                    "fields": ADDRESS_FIELDS,
                    "description": "Copied when the work order was opened: editing the "
                    "account or its locations later does not change it.",
                },
            ),
            ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
        ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: WorkOrder | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("number", "account", "source", "book_visit", "created_at", "updated_at")

    def get_inlines(
        self, request: HttpRequest, obj: WorkOrder | None
    ) -> tuple[type[admin.options.InlineModelAdmin[Any, Any]], ...]:
        # A new work order has no visits or notes yet: book and write once it exists.
        return tuple(self.inlines) if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: WorkOrder, form: forms.ModelForm[WorkOrder], change: bool
    ) -> None:
        if change:
            # Editing the instructions, external id or copied address belongs to no
            # service yet; it changes nothing that another part of Doorstep relies on.
            obj.save()
            return
        data = form.cleaned_data
        work_order = services.create_work_order(
            account=data["account"],
            incident_type=data["incident_type"],
            reported_by=data.get("reported_by"),
            asset=data.get("asset"),
            instructions=data.get("instructions", ""),
            external_id=data.get("external_id", ""),
        )
        adopt(obj, work_order)

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm[WorkOrder],
        formset: Any,
        change: bool,
    ) -> None:
        if not isinstance(formset, NewTimelineNoteFormSet):
            super().save_formset(request, form, formset, change)
            return
        author = staff_user(request)
        formset.new_objects = [
            services.add_timeline_note(
                work_order=form.instance,
                text=note_form.cleaned_data["text"],
                author=author,
                customer_visible=note_form.cleaned_data.get("customer_visible", False),
            )
            for note_form in formset.forms
            if note_form.has_changed() and note_form.cleaned_data
        ]
        formset.changed_objects = []
        formset.deleted_objects = []

    @admin.display(description="visits", ordering="visit_count")
    def visit_count(self, work_order: WorkOrder) -> int:
        return int(work_order.visit_count)  # type: ignore[attr-defined]

    @admin.display(description="visits")
    def book_visit(self, work_order: WorkOrder) -> SafeString:
        url = reverse("admin:scheduling_booking_add")
        return format_html(
            '<a class="addlink" href="{}?work_order={}">Book a technician</a>', url, work_order.pk
        )
