"""Deletions, for a sync: which records were deleted since a time, so the other system
deletes its copy too. Lists never show deleted records, so this feed is how a sync that
reads `updated_since` learns of them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.api.rest.pages import SyncCursorPagination
from doorstep.api.rest.resources import ReadOnlyResourceViewSet
from doorstep.core.models import Deletion

# The API's name of each kind of record (`Deletion.record_type`, a model's label).
RESOURCE_OF = {
    "customers.account": "accounts",
    "customers.contact": "contacts",
    "customers.functionallocation": "sites",
    "customers.asset": "assets",
    "catalog.incidenttype": "service-types",
    "workforce.resource": "technicians",
    "scheduling.workorder": "work-orders",
    "scheduling.booking": "bookings",
    "access.visitlink": "visit-links",
    "notifications.notification": "notifications",
    "scheduling.visitfeedback": "feedback",
    "webhooks.webhookendpoint": "webhook-endpoints",
    "history.document": "documents",
    "history.photo": "photos",
    "history.servicereport": "service-reports",
    "plans.serviceplan": "service-plans",
    "plans.changerequest": "service-plan-change-requests",
}
TYPE_OF = {resource: label for label, resource in RESOURCE_OF.items()}


class DeletionFilters(serializers.Serializer):
    deleted_since = serializers.DateTimeField(
        required=False, help_text="Only records deleted at or after this time."
    )
    resource = serializers.ChoiceField(
        choices=sorted(TYPE_OF), required=False, help_text="Only records of this kind."
    )


class DeletionSerializer(serializers.ModelSerializer):
    resource = serializers.SerializerMethodField(help_text="The kind of record, as in its path.")
    id = serializers.IntegerField(source="record_id", read_only=True)

    class Meta:
        model = Deletion
        fields = ("resource", "id", "external_id", "deleted_at")
        read_only_fields = fields

    def get_resource(self, deletion: Deletion) -> str:
        return RESOURCE_OF[deletion.record_type]


class DeletionPagination(SyncCursorPagination):
    ordering = ("deleted_at", "id")


class DeletionViewSet(ReadOnlyResourceViewSet):
    """Records deleted, oldest first: walk every page, then ask again with
    `deleted_since` set to the last one's `deleted_at`."""

    queryset = Deletion.objects.filter(record_type__in=RESOURCE_OF)
    serializer_class = DeletionSerializer
    filters_class = DeletionFilters
    pagination_class = DeletionPagination

    def filter_list(self, queryset: QuerySet[Any], filters: Any) -> QuerySet[Any]:
        if "deleted_since" in filters:
            queryset = queryset.filter(deleted_at__gte=filters["deleted_since"])
        if "resource" in filters:
            queryset = queryset.filter(record_type=TYPE_OF[filters["resource"]])
        return queryset

    @extend_schema(parameters=[DeletionFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)
