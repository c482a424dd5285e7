"""Back office forms for work orders and bookings.

They only check input and say what is wrong; the admin saves through the services.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms

from doorstep.core.timezones import wall_clock_in
from doorstep.customers.models import Account
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrder
from doorstep.scheduling.services import clash_message, find_clash


def status_move_fields(booking: Booking) -> list[str]:
    """The fields of BookingChangeForm that this booking's allowed moves call for."""
    moves = booking.allowed_moves() if booking.pk is not None else []
    fields = ["new_status"] if moves else []
    if BookingStatus.CANCELED in moves:
        fields.append("reason_for_canceling")
    if BookingStatus.COMPLETED in moves:
        fields.append("completion_note")
    return fields


def account_mismatches(cleaned: dict[str, Any], account: Account | None) -> dict[str, str]:
    """The person reporting the work and the asset must both belong to the account."""
    errors: dict[str, str] = {}
    if account is None:
        return errors
    reported_by = cleaned.get("reported_by")
    if reported_by is not None and reported_by.account_id != account.pk:
        errors["reported_by"] = f"Choose a contact of {account}."
    asset = cleaned.get("asset")
    if asset is not None and asset.account_id != account.pk:
        errors["asset"] = f"Choose an asset of {account}."
    return errors


class WorkOrderAddForm(forms.ModelForm[WorkOrder]):
    """Opens a work order; its service address is copied by the service, so it is not asked."""

    class Meta:
        model = WorkOrder
        fields = ("account", "incident_type", "reported_by", "asset", "instructions", "external_id")
        help_texts = {
            "asset": "The visit goes to the asset's location when it has one, "
            "otherwise to the account's address.",
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        account = cleaned.get("account")
        mismatches = account_mismatches(cleaned, account if isinstance(account, Account) else None)
        for field, message in mismatches.items():
            self.add_error(field, message)
        return cleaned


class WorkOrderChangeForm(forms.ModelForm[WorkOrder]):
    class Meta:
        model = WorkOrder
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # The account is read-only once the work order exists.
        account = self.instance.account if self.instance.account_id else None
        for field, message in account_mismatches(cleaned, account).items():
            self.add_error(field, message)
        return cleaned


class BookingAddForm(forms.ModelForm[Booking]):
    """Books a technician; the times are read in the customer's time zone."""

    class Meta:
        model = Booking
        fields = ("work_order", "resource", "start", "end")
        help_texts = {
            "start": "In the customer's time zone (the account's).",
            "end": "In the customer's time zone. Leave empty to use the service type's "
            "estimated duration.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "end" in self.fields:
            self.fields["end"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        work_order = cleaned.get("work_order")
        start, end = cleaned.get("start"), cleaned.get("end")
        if not isinstance(work_order, WorkOrder) or not isinstance(start, datetime):
            return cleaned
        zone = ZoneInfo(work_order.account.time_zone)
        cleaned["start"] = wall_clock_in(start, zone)
        if isinstance(end, datetime):
            cleaned["end"] = wall_clock_in(end, zone)
        elif not self.has_error("end"):
            minutes = work_order.incident_type.estimated_duration_minutes
            cleaned["end"] = cleaned["start"] + timedelta(minutes=minutes)
        return cleaned


class BookingChangeForm(forms.ModelForm[Booking]):
    """Moves a booking along its allowed status moves, and its times while it is Scheduled.

    The times are shown and read in the time zone the admin page has activated (the
    customer's), so they need no conversion here.
    """

    new_status = forms.ChoiceField(label="Change status to", required=False)
    reason_for_canceling = forms.CharField(
        label="Reason for canceling",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the booking is canceled. The customer sees it.",
    )
    completion_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional, when the booking is completed: added to the work order's "
        "timeline, visible to the customer.",
    )

    class Meta:
        model = Booking
        fields = ("start", "end")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wanted = status_move_fields(self.instance)
        for name in ("new_status", "reason_for_canceling", "completion_note"):
            if name not in wanted:
                self.fields.pop(name)
        if not wanted:
            return
        moves = self.instance.allowed_moves()
        current = BookingStatus(self.instance.status).label
        new_status = cast(forms.ChoiceField, self.fields["new_status"])
        new_status.choices = [
            ("", f"— keep {current} —"),
            *((move, BookingStatus(move).label) for move in moves),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        new_status = cleaned.get("new_status") or ""
        reason = (cleaned.get("reason_for_canceling") or "").strip()
        if new_status == BookingStatus.CANCELED and not reason:
            self.add_error("reason_for_canceling", "Say why the booking is canceled.")
        elif reason and new_status != BookingStatus.CANCELED:
            self.add_error(
                "reason_for_canceling", "A reason goes with changing the status to Canceled."
            )
        note = (cleaned.get("completion_note") or "").strip()
        if note and new_status != BookingStatus.COMPLETED:
            self.add_error(
                "completion_note", "A completion note goes with changing the status to Completed."
            )
        self._check_times(cleaned)
        return cleaned

    def _check_times(self, cleaned: dict[str, Any]) -> None:
        if not {"start", "end"} & set(self.changed_data):
            return
        start, end = cleaned.get("start"), cleaned.get("end")
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return
        if end <= start:
            self.add_error("end", "The booking must end after it starts.")
            return
        clash = find_clash(
            technician_id=self.instance.resource_id, start=start, end=end, excluding=self.instance
        )
        if clash is not None:
            self.add_error(None, clash_message(clash))
