"""The free times for a visit at a place: the very times the portal's booking page offers
there (same engine, lead times, travel radius and travel), for a dispatch system to show
or to book with `POST /bookings`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.api.rest.resources import ReadOnlyResourceViewSet
from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.core.validators import (
    LATITUDE_VALIDATORS,
    LONGITUDE_VALIDATORS,
    validate_time_zone,
)
from doorstep.customers.models import Account, FunctionalLocation
from doorstep.scheduling import selectors, self_scheduling
from doorstep.scheduling.travel import Point

MAX_DAYS = 62


class SlotQuery(serializers.Serializer):
    service_type = serializers.PrimaryKeyRelatedField(queryset=IncidentType.objects.all())
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), required=False, help_text="Visit at its address."
    )
    site = serializers.PrimaryKeyRelatedField(
        queryset=FunctionalLocation.objects.all(), required=False, help_text="Visit at the site."
    )
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, validators=LATITUDE_VALIDATORS
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, validators=LONGITUDE_VALIDATORS
    )
    time_zone = serializers.CharField(
        required=False,
        max_length=64,
        validators=[validate_time_zone],
        help_text="With latitude and longitude (else the company's zone), e.g. America/Denver.",
    )
    from_ = serializers.DateField(required=False, help_text="First day (the visit's zone).")
    to = serializers.DateField(required=False, help_text="Last day (the visit's zone).")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a keyword in Python, a plain word in a query
        return fields

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        places = [name for name in ("account", "site") if name in data]
        has_point = "latitude" in data or "longitude" in data
        if len(places) + has_point != 1:
            raise serializers.ValidationError(
                "Give one place: account, site, or latitude and longitude."
            )
        if has_point and ("latitude" not in data or "longitude" not in data):
            raise serializers.ValidationError("Give both latitude and longitude.")
        if "from" in data and "to" in data:
            if data["to"] < data["from"]:
                raise serializers.ValidationError({"to": ["The last day is before the first."]})
            if (data["to"] - data["from"]).days > MAX_DAYS:
                raise serializers.ValidationError({"to": [f"Ask for {MAX_DAYS} days at most."]})
        return data


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class SlotViewSet(ReadOnlyResourceViewSet):
    """Free times a customer could book at a place, for one service type."""

    serializer_class = SlotSerializer
    pagination_class = None

    @extend_schema(parameters=[SlotQuery], responses={200: SlotSerializer(many=True)})
    def list(self, request: Request) -> Response:
        query = SlotQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        service_type: IncidentType = data["service_type"]
        self_scheduling.check_service_type(service_type)
        portal = PortalSettings.load()
        if "site" in data:
            site: FunctionalLocation = data["site"]
            location, zone = self_scheduling.visit_point(site), site.account.time_zone
        elif "account" in data:
            account: Account = data["account"]
            location, zone = self_scheduling.visit_point(account), account.time_zone
        else:
            location = Point(float(data["latitude"]), float(data["longitude"]))
            zone = data.get("time_zone") or portal.time_zone
        now = timezone.now()
        first, last = selectors.bookable_days(time_zone=zone, now=now, portal_settings=portal)
        first_day: date = max(first, data.get("from", first))
        last_day: date = min(last, data.get("to", last))
        slots = selectors.available_slots(
            portal_settings=portal,
            incident_type=service_type,
            location=location,
            time_zone=zone,
            first_day=first_day,
            last_day=last_day,
            now=now,
        )
        return Response(SlotSerializer(slots, many=True).data)
