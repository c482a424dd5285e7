"""Service plans as the company's own systems see them: the recurring services each
account has agreed to, and the changes customers ask for in the portal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.api.rest.customers import STAMPS
from doorstep.api.rest.resources import (
    LIST_PARAMETERS,
    CreatedSinceFilters,
    ListFilters,
    ResourceViewSet,
    WrittenOnceViewSet,
    id_filter,
)
from doorstep.customers.models import FunctionalLocation
from doorstep.plans import services
from doorstep.plans.models import ChangeRequest, ServicePlan


class ServicePlanSerializer(serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(
        queryset=FunctionalLocation.objects.all(),
        allow_null=True,
        required=False,
        help_text="The site the plan covers, if not the account's main address.",
    )

    class Meta:
        model = ServicePlan
        fields = ("id", "external_id", "account", "name", "service_type", "asset", "site",
                  "every", "unit", "starts_on", "ends_on", "status", "customer_note",
                  *STAMPS)  # fmt: skip
        read_only_fields = ("id", *STAMPS)
        extra_kwargs = {
            "every": {"help_text": "How many weeks or months from one visit to the next."},
            "starts_on": {"help_text": "The date the first visit is due."},
            "ends_on": {"help_text": "The plan's last day; null while it runs on."},
            "customer_note": {"help_text": "What the plan includes, shown to the customer."},
        }


class PlanFilters(ListFilters):
    account = id_filter(help_text="Only the plans of this account.")


class ServicePlanViewSet(ResourceViewSet):
    """Recurring service plans. The portal shows customers each plan's next due date and
    whether a visit is booked for it; a visit of the plan's service (and equipment or
    site, where the plan names one) within half a period of a due date serves it."""

    queryset = ServicePlan.objects.all()
    serializer_class = ServicePlanSerializer
    filters_class = PlanFilters

    @extend_schema(
        parameters=[
            *LIST_PARAMETERS,
            OpenApiParameter("account", OpenApiTypes.INT, description="Only this account's."),
        ]
    )
    def list(self, request: Request) -> Response:
        return super().list(request)

    def filter_list(self, queryset: QuerySet[Any], filters: Mapping[str, Any]) -> QuerySet[Any]:
        queryset = super().filter_list(queryset, filters)
        if "account" in filters:
            queryset = queryset.filter(account_id=filters["account"])
        return queryset

    def save_record(self, record: ServicePlan) -> ServicePlan:
        return services.save_plan(plan=record)

    def delete_record(self, record: ServicePlan) -> None:
        services.remove(plan=record)


class ChangeRequestSerializer(serializers.ModelSerializer):
    handled = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = ("id", "plan", "contact", "text", "created_at", "handled", "handled_at")
        read_only_fields = fields

    def get_handled(self, request: ChangeRequest) -> bool:
        return request.handled_at is not None


class ChangeRequestFilters(CreatedSinceFilters):
    handled = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only handled, or open, ones."
    )


class ChangeRequestViewSet(WrittenOnceViewSet):
    """Changes to their plans that customers asked for in the portal, oldest first."""

    queryset = ChangeRequest.objects.all()
    serializer_class = ChangeRequestSerializer
    filters_class = ChangeRequestFilters

    @extend_schema(parameters=[ChangeRequestFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)

    def filter_list(self, queryset: QuerySet[Any], filters: Mapping[str, Any]) -> QuerySet[Any]:
        queryset = super().filter_list(queryset, filters)
        if filters.get("handled") is not None:
            queryset = queryset.filter(handled_at__isnull=not filters["handled"])
        return queryset

    @extend_schema(request=None, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def handled(self, request: Request, pk: str) -> Response:
        """Mark the request as handled (done again, it keeps its first time)."""
        change = services.mark_handled(request=self.get_object())
        return self.answer(change)
