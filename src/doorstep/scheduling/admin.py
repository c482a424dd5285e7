"""Back office pages for work orders, bookings and their history.

What the scheduling services own (opening a work order, booking a technician, moving a
booking's status, adding a timeline note) goes through them. When a service refuses
(`DomainError`), the same form comes back with the refusal as its error, what was typed
kept, and nothing saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.core.errors import DomainError
from doorstep.scheduling import services
from doorstep.scheduling.forms import (
    BookingAddForm,
    BookingChangeForm,
    WorkOrderAddForm,
    WorkOrderChangeForm,
    status_move_fields,
)
from doorstep.scheduling.models import (
    Booking,
    BookingStatus,
    BookingStatusChange,
    TimelineNote,
    WorkOrder,
)
from doorstep.users.models import User

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

_M = TypeVar("_M", bound=Model)

ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    ("postal_code", "city"),
    "country",
    ("latitude", "longitude"),
)

# The refusal of the first attempt at saving, for the second rendering of the same request.
_refusals: WeakKeyDictionary[HttpRequest, str] = WeakKeyDictionary()


def _staff_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _adopt(target: Model, saved: Model) -> None:
    """Turn the admin's unsaved instance into the row a service created.

    The admin goes on with its own instance (for the history log, the message and the
    redirect), so it must carry the new row's values and know it is saved.
    """
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


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


def _rendered(response: HttpResponse) -> HttpResponse:
    """Render a page now, inside the time zone the caller activated.

    A TemplateResponse renders after the view returns, once the time zone is no longer
    active; the form would then show in UTC the times it reads in the zone.
    """
    if isinstance(response, TemplateResponse):
        response.render()
    return response


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M %Z}"


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
            _refusals[request] = refusal.message
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            finally:
                _refusals.pop(request, None)

    def get_form(
        self, request: HttpRequest, obj: _M | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[_M]]:
        form_class = super().get_form(request, obj, change, **kwargs)
        message = _refusals.get(request)
        return form_class if message is None else _form_refusing(form_class, message)


# --- Work orders ---------------------------------------------------------------------------


class BookingInline(admin.TabularInline[Booking, WorkOrder]):
    """The work order's visits, to read; a booking changes on its own page."""

    model = Booking
    fields = ("booking_link", "resource", "visit_time", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "visits"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        return super().get_queryset(request).select_related("resource", "work_order__account")

    def has_add_permission(self, request: HttpRequest, obj: WorkOrder | None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: HttpRequest, obj: WorkOrder | None = None) -> bool:
        return False

    @admin.display(description="booking")
    def booking_link(self, booking: Booking) -> SafeString:
        url = reverse("admin:scheduling_booking_change", args=[booking.pk])
        return format_html('<a href="{}">{}</a>', url, booking.reference)

    @admin.display(description="time (customer's time zone)")
    def visit_time(self, booking: Booking) -> str:
        zone = booking.time_zone
        return f"{_local(booking.start, zone)} – {timezone.localtime(booking.end, zone):%H:%M}"


class TimelineInline(admin.TabularInline[TimelineNote, WorkOrder]):
    """The notes written so far; the timeline is a history, so they are not edited."""

    model = TimelineNote
    fields = ("created_at", "author", "text", "customer_visible")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "timeline"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimelineNote]:
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request: HttpRequest, obj: WorkOrder | None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: HttpRequest, obj: WorkOrder | None = None) -> bool:
        return False


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
class WorkOrderAdmin(ServiceBackedAdmin[WorkOrder]):
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
        _adopt(obj, work_order)

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
        author = _staff_user(request)
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


# --- Bookings -------------------------------------------------------------------------------


class StatusHistoryInline(admin.TabularInline[BookingStatusChange, Booking]):
    model = BookingStatusChange
    fields = ("from_status", "to_status", "changed_at", "changed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "status history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[BookingStatusChange]:
        return super().get_queryset(request).select_related("changed_by")

    def has_view_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return request.user.has_perm("scheduling.view_booking")

    def has_add_permission(self, request: HttpRequest, obj: Booking | None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(ServiceBackedAdmin[Booking]):
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
    inlines = (StatusHistoryInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        # The list and the change page both show the account, its time zone and the
        # service type of each booking.
        return (
            super()
            .get_queryset(request)
            .select_related("work_order__account", "work_order__incident_type", "resource")
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # A visit's times are shown, and typed, in the customer's time zone.
        zone_name = (
            Booking.objects.filter(pk=object_id)
            .values_list("work_order__account__time_zone", flat=True)
            .first()
            if object_id and object_id.isdigit()
            else None
        )
        if zone_name is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(ZoneInfo(zone_name)):
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))

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
        user = _staff_user(request)
        if not change:
            booking = services.create_booking(
                work_order=obj.work_order,
                resource=obj.resource,
                start=obj.start,
                end=obj.end,
                created_by=user,
            )
            _adopt(obj, booking)
            return
        if {"start", "end"} & set(form.changed_data):
            self._move(obj, user)
        new_status = form.cleaned_data.get("new_status")
        if new_status:
            services.set_status(
                booking=obj,
                status=new_status,
                changed_by=user,
                cancel_reason=form.cleaned_data.get("reason_for_canceling", ""),
                completion_note=form.cleaned_data.get("completion_note", ""),
            )

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
        return _local(booking.start, booking.time_zone)

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


# --- Timeline notes ---------------------------------------------------------------------------


class TimelineNoteAddForm(forms.ModelForm[TimelineNote]):
    class Meta:
        model = TimelineNote
        fields = ("work_order", "text", "customer_visible")


@admin.register(TimelineNote)
class TimelineNoteAdmin(ServiceBackedAdmin[TimelineNote]):
    """Notes are added, and read; the timeline is the work order's history."""

    list_display = ("__str__", "work_order", "customer_visible", "author", "created_at")
    list_select_related = ("work_order", "author")
    list_filter = ("customer_visible", "created_at")
    search_fields = ("text", "work_order__number", "work_order__account__name")
    autocomplete_fields = ("work_order",)
    date_hierarchy = "created_at"

    def get_form(
        self,
        request: HttpRequest,
        obj: TimelineNote | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[TimelineNote]]:
        if obj is None:
            kwargs["form"] = TimelineNoteAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: TimelineNote | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("work_order", "text", "customer_visible")
        return ("work_order", "text", "customer_visible", "author", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: TimelineNote | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TimelineNote | None = None) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: TimelineNote,
        form: forms.ModelForm[TimelineNote],
        change: bool,
    ) -> None:
        note = services.add_timeline_note(
            work_order=form.cleaned_data["work_order"],
            text=form.cleaned_data["text"],
            author=_staff_user(request),
            customer_visible=form.cleaned_data.get("customer_visible", False),
        )
        _adopt(obj, note)


from doorstep.scheduling import admin_feedback  # noqa: E402, F401
