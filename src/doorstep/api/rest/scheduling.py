"""Work orders and their visits (bookings). Visits change only through the services the
portal, the technician app and the back office use: book, reschedule, cancel, and the
status machine, with the same checks, the same messages and the same webhooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.access.models import ApiKey, Scope
from doorstep.api.rest.booking_requests import (
    CancelSerializer,
    NewBookingSerializer,
    RescheduleSerializer,
    StatusSerializer,
)
from doorstep.api.rest.resources import ReadOnlyResourceViewSet
from doorstep.customers.models import Contact
from doorstep.scheduling import self_scheduling, services
from doorstep.scheduling.models import (
    Booking,
    BookingStatus,
    TimelineNote,
    WorkOrder,
    WorkOrderSource,
)
from doorstep.scheduling.selectors import booking_fit_warnings

STAMPS = ("created_at", "updated_at")


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimelineNote
        fields = ("text", "customer_visible", "created_at")


class WorkOrderSerializer(serializers.ModelSerializer):
    service_type = serializers.PrimaryKeyRelatedField(source="incident_type", read_only=True)
    site = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The site visited: the one booked at, or the equipment's.",
    )
    comments = CommentSerializer(source="notes", many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = ("id", "external_id", "number", "account", "reported_by", "service_type",
                  "asset", "site", "instructions", "source", "address_line1", "address_line2",
                  "city", "postal_code", "country", "latitude", "longitude", "comments",
                  *STAMPS)  # fmt: skip
        read_only_fields = fields


class VisitRecordSerializer(serializers.Serializer):
    work_done = serializers.CharField(
        help_text="What the technician did, as the customer reads it."
    )
    signed_by = serializers.CharField(help_text="Who signed for the work, if anyone.")
    signed_at = serializers.DateTimeField(allow_null=True)


def visit_record(booking: Booking, when: Callable[[datetime | None], str | None]) -> Any:
    record = getattr(booking, "record", None)  # None: nothing written yet
    if record is None:
        return None
    return {
        "work_done": record.work_done,
        "signed_by": record.signer_name,
        "signed_at": when(record.signed_at),
    }


class BookingSerializer(serializers.ModelSerializer):
    technician = serializers.PrimaryKeyRelatedField(source="resource", read_only=True)
    account = serializers.IntegerField(source="work_order.account_id", read_only=True)
    service_type = serializers.IntegerField(source="work_order.incident_type_id", read_only=True)
    asset = serializers.IntegerField(source="work_order.asset_id", read_only=True, allow_null=True)
    site = serializers.IntegerField(
        source="work_order.site_id",
        read_only=True,
        allow_null=True,
        help_text="The site visited: the one booked at, or the equipment's.",
    )
    address = serializers.CharField(source="work_order.one_line_address", read_only=True)
    comments = CommentSerializer(source="work_order.notes", many=True, read_only=True)
    allowed_statuses = serializers.ListField(
        source="allowed_moves",
        child=serializers.ChoiceField(choices=BookingStatus.choices),
        read_only=True,
        help_text="The statuses the visit may move to next.",
    )
    warnings = serializers.SerializerMethodField(
        help_text="Why the chosen technician is a poor fit, for a visit booked by hand."
    )
    record = serializers.SerializerMethodField(
        help_text="The technician's record of the visit (work done, who signed); null "
        "until written. Its photos, documents and reports: /photos, /documents and "
        "/service-reports with `booking`."
    )

    class Meta:
        model = Booking
        fields = ("id", "external_id", "reference", "work_order", "status", "start", "end",
                  "technician", "account", "service_type", "asset", "site", "address",
                  "cancel_reason", "completed_at", "created_via_portal", "allowed_statuses",
                  "comments", "warnings", "record", *STAMPS)  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(VisitRecordSerializer(allow_null=True))
    def get_record(self, booking: Booking) -> Any:
        return visit_record(booking, iso_datetimes())

    def get_warnings(self, booking: Booking) -> list[str]:
        return list(self.context.get("warnings", []))

    def to_representation(self, instance: Booking) -> dict[str, Any]:
        """The fields above, built directly: DRF's field by field way (attribute paths,
        callable checks, a time zone lookup per date) was most of the time of a page of
        100 visits. `tests/api/rest/test_scheduling.py` holds the two answers equal."""
        booking, work_order = instance, instance.work_order
        when = iso_datetimes()
        return {
            "id": booking.pk,
            "external_id": booking.external_id,
            "reference": booking.reference,
            "work_order": booking.work_order_id,
            "status": str(booking.status),
            "start": when(booking.start),
            "end": when(booking.end),
            "technician": booking.resource_id,
            "account": work_order.account_id,
            "service_type": work_order.incident_type_id,
            "asset": work_order.asset_id,
            "site": work_order.site_id,
            "address": work_order.one_line_address,
            "cancel_reason": booking.cancel_reason,
            "completed_at": when(booking.completed_at),
            "created_via_portal": booking.created_via_portal,
            "allowed_statuses": booking.allowed_moves(),
            "comments": [
                {
                    "text": note.text,
                    "customer_visible": note.customer_visible,
                    "created_at": when(note.created_at),
                }
                for note in work_order.notes.all()
            ],
            "warnings": list(self.context.get("warnings", [])),
            "record": visit_record(booking, when),
            "created_at": when(booking.created_at),
            "updated_at": when(booking.updated_at),
        }


def iso_datetimes() -> Callable[[datetime | None], str | None]:
    """A date-time as DRF's DateTimeField writes it (ISO 8601 in the current time zone,
    UTC as Z), with the time zone looked up once rather than for every date."""
    zone = timezone.get_current_timezone()
    field = serializers.DateTimeField()

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        if timezone.is_naive(value):
            return str(field.to_representation(value))
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


class WorkOrderViewSet(ReadOnlyResourceViewSet):
    """Work orders: the jobs visits are booked for, with their comments (timeline notes)."""

    queryset = WorkOrder.objects.select_related("asset").prefetch_related("notes")
    serializer_class = WorkOrderSerializer


def needs_dispatch(request: Request) -> None:
    api_key = request.auth
    if not isinstance(api_key, ApiKey) or not api_key.allows(Scope.DISPATCH):
        raise PermissionDenied(
            "This API key may not do this: it needs the “dispatch” scope. "
            "Staff can add it to the key in the back office."
        )


class BookingViewSet(ReadOnlyResourceViewSet):
    """Visits: one technician, one time window, for a work order."""

    queryset = Booking.objects.select_related("work_order__asset", "record").prefetch_related(
        "work_order__notes"
    )
    serializer_class = BookingSerializer

    @property
    def write_scope(self) -> Scope:
        """Status moves are the dispatch system's (or the technician's) to make."""
        return Scope.DISPATCH if self.action == "status" else Scope.WRITE

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "warnings": getattr(self, "warnings", [])}

    def booked(
        self, booking: Booking, *, created: bool = False, warnings: list[str] | None = None
    ) -> Response:
        self.warnings = warnings or []
        return self.answer(self.queryset.get(pk=booking.pk), created=created)

    def checked(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=NewBookingSerializer, responses={201: BookingSerializer})
    def create(self, request: Request) -> Response:
        """Book one of the times `/slots` offers, as the portal does; with the dispatch
        scope and a technician, any time, with the back office's warnings."""
        data = self.checked(NewBookingSerializer)
        if "technician" not in data:
            booking = self_scheduling.book(
                contact=data["contact"],
                incident_type=data["service_type"],
                start=data["start"],
                asset=data.get("asset"),
                site=data.get("site"),
                details=data["details"],
                external_id=data["external_id"],
                work_order_external_id=data["work_order_external_id"],
                source=WorkOrderSource.API,
            )
            return self.booked(booking, created=True)
        needs_dispatch(request)
        booking = book_by_hand(data)
        warnings = booking_fit_warnings(
            resource=booking.resource,
            incident_type=data["service_type"],
            start=booking.start,
            end=booking.end,
        )
        return self.booked(booking, created=True, warnings=warnings)

    @extend_schema(request=RescheduleSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        """Move the visit to another offered start (the technician whose day gains the least
        travel is chosen); with the dispatch scope, to any time or technician."""
        booking = self.get_object()
        data = self.checked(RescheduleSerializer)
        if "end" not in data and "technician" not in data:
            contact = booking.work_order.reported_by or booking.work_order.account.primary_contact
            if contact is None:
                raise services.InvalidBooking(
                    "The visit has no contact to move it for: give `end` (dispatch scope)."
                )
            moved = self_scheduling.move_visit(
                contact=contact, booking=booking, start=data["start"]
            )
            return self.booked(moved)
        needs_dispatch(request)
        end = data.get("end") or data["start"] + (booking.end - booking.start)
        moved = services.reschedule(
            booking=booking, start=data["start"], end=end, resource=data.get("technician")
        )
        warnings = booking_fit_warnings(
            resource=moved.resource,
            incident_type=booking.work_order.incident_type,
            start=moved.start,
            end=moved.end,
        )
        return self.booked(moved, warnings=warnings)

    @extend_schema(request=CancelSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel the visit before work starts, saying why (the customer is told)."""
        booking = self.get_object()
        data = self.checked(CancelSerializer)
        if not booking.can_modify():
            raise services.InvalidBooking(self_scheduling.locked_reason(booking))
        canceled = services.set_status(
            booking=booking, status=BookingStatus.CANCELED, cancel_reason=data["reason"]
        )
        return self.booked(canceled)

    @extend_schema(request=StatusSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str) -> Response:
        """Dispatch scope: move the visit along (traveling, in_progress, completed, …) as
        the technician app does, with the same messages to the customer."""
        booking = self.get_object()
        data = self.checked(StatusSerializer)
        moved = services.set_status(
            booking=booking,
            status=data["status"],
            cancel_reason=data["reason"],
            completion_note=data["completion_note"],
        )
        return self.booked(moved)


@transaction.atomic
def book_by_hand(data: dict[str, Any]) -> Booking:
    """The back office's booking: a work order from the API, any technician, any time."""
    contact: Contact | None = data.get("contact")
    account = data.get("account") or (contact.account if contact else None)
    assert account is not None  # noqa: S101 (checked by the serializer)
    work_order = services.create_work_order(
        account=account,
        incident_type=data["service_type"],
        reported_by=contact,
        asset=data.get("asset"),
        site=data.get("site"),
        instructions=data["details"],
        source=WorkOrderSource.API,
        external_id=data["work_order_external_id"],
    )
    return services.create_booking(
        work_order=work_order,
        resource=data["technician"],
        start=data["start"],
        end=data["end"],
        external_id=data["external_id"],
    )
