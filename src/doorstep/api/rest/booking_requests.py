"""What a request to book, move, cancel or move a visit along carries, field by field."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from doorstep.catalog.models import IncidentType
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.scheduling.models import BookingStatus
from doorstep.workforce.models import Resource


class NewBookingSerializer(serializers.Serializer):
    service_type = serializers.PrimaryKeyRelatedField(queryset=IncidentType.objects.all())
    start = serializers.DateTimeField(help_text="One of the starts `/slots` offers.")
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        help_text="Who asked for the visit; their account is visited. Needed without technician.",
    )
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, help_text="With `technician`."
    )
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all(), required=False)
    site = serializers.PrimaryKeyRelatedField(
        queryset=FunctionalLocation.objects.all(),
        required=False,
        help_text=(
            "Visit at this site of the account (the one `/slots?site=` offered times for); "
            "without it, at the account's address or the asset's site."
        ),
    )
    details = serializers.CharField(required=False, default="", max_length=4000, allow_blank=True)
    external_id = serializers.CharField(
        required=False, default="", max_length=200, allow_blank=True
    )
    work_order_external_id = serializers.CharField(
        required=False,
        default="",
        max_length=200,
        allow_blank=True,
        help_text="The job's id in your system, kept on the visit's work order.",
    )
    technician = serializers.PrimaryKeyRelatedField(
        queryset=Resource.objects.all(),
        required=False,
        help_text="Dispatch scope: book this technician at any time, with `end`.",
    )
    end = serializers.DateTimeField(required=False, help_text="With `technician`.")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if "technician" in data:
            if "end" not in data:
                raise serializers.ValidationError({"end": ["Give the end with a technician."]})
            if "account" not in data and "contact" not in data:
                raise serializers.ValidationError({"account": ["Give the account to visit."]})
        elif "contact" not in data:
            raise serializers.ValidationError(
                {"contact": ["Give the contact who books (or a technician, with dispatch)."]}
            )
        return data


class RescheduleSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="One of the starts `/slots` offers.")
    end = serializers.DateTimeField(required=False, help_text="Dispatch scope: any time.")
    technician = serializers.PrimaryKeyRelatedField(
        queryset=Resource.objects.all(), required=False, help_text="Dispatch scope."
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why; the customer reads it.")


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    reason = serializers.CharField(
        required=False,
        default="",
        max_length=2000,
        allow_blank=True,
        help_text="Needed to cancel.",
    )
    completion_note = serializers.CharField(
        required=False,
        default="",
        max_length=4000,
        allow_blank=True,
        help_text="When completed.",
    )
