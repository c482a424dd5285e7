"""Webhook endpoints and their delivery log, for an integration to manage its own
receivers (the `webhooks` scope). The secret is shown once, when made or rotated."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.access.models import Scope
from doorstep.api.rest.resources import ResourceViewSet, WrittenOnceViewSet, id_filter
from doorstep.catalog.models import IncidentType
from doorstep.webhooks import services
from doorstep.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

STAMPS = ("created_at", "updated_at")


class EndpointFilters(serializers.Serializer):
    updated_since = serializers.DateTimeField(
        required=False, help_text="Only endpoints changed at or after this time."
    )


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=services.EVENT_TYPES),
        required=False,
        max_length=len(services.EVENT_TYPES),
        help_text="The events to send; an empty list sends every one.",
    )
    service_type = serializers.PrimaryKeyRelatedField(
        queryset=IncidentType.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only events about visits of this service type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("id", "url", "description", "event_types", "service_type", "active",
                  "disabled_reason", "failing_since", *STAMPS)  # fmt: skip
        read_only_fields = ("id", "disabled_reason", "failing_since", *STAMPS)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ("started_at", "duration_ms", "status_code", "error", "response_body")
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="event_id", read_only=True)
    attempt_log = WebhookAttemptSerializer(source="tries", many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ("id", "endpoint", "webhook_id", "event_type", "payload", "state", "attempts",
                  "next_attempt_at", "last_error", "created_at", "delivered_at",
                  "attempt_log")  # fmt: skip
        read_only_fields = fields


SECRET = inline_serializer("WebhookSecret", {"secret": serializers.CharField()})
REPLAYED = inline_serializer("WebhookReplay", {"replayed": serializers.IntegerField()})


class ReplaySince(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Replay the failed deliveries made since then.")


class WebhookEndpointViewSet(ResourceViewSet):
    """Where events are sent. The answer to a create carries the signing secret, once."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    filters_class = EndpointFilters
    read_scope = Scope.WEBHOOKS
    write_scope = Scope.WEBHOOKS
    by_external_id = None  # endpoints have no id in the company's own systems

    @extend_schema(parameters=[EndpointFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)

    def save_record(self, record: WebhookEndpoint) -> WebhookEndpoint:
        return services.save_endpoint(endpoint=record)

    def delete_record(self, record: WebhookEndpoint) -> None:
        services.remove_endpoint(endpoint=record)

    def answer(self, record: models.Model, *, created: bool = False) -> Response:
        response = super().answer(record, created=created)
        if created and isinstance(record, WebhookEndpoint):
            response.data["secret"] = record.secret
        return response

    @extend_schema(request=None, responses={200: SECRET})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        """A new signing secret; the old one keeps signing beside it for 24 hours."""
        return Response({"secret": services.rotate_secret(endpoint=self.get_object())})

    @extend_schema(request=ReplaySince, responses={200: REPLAYED})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str) -> Response:
        """Send again, with their webhook-ids, the deliveries that failed since a time."""
        data = self.checked(ReplaySince)
        count = services.replay_failed(endpoint=self.get_object(), since=data["since"])
        return Response({"replayed": count})

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Send a `webhook.test` event to this endpoint."""
        delivery = services.send_test_event(endpoint=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=202)

    def checked(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class DeliveryFilters(serializers.Serializer):
    created_since = serializers.DateTimeField(required=False)
    endpoint = id_filter()
    state = serializers.ChoiceField(choices=WebhookDelivery._meta.get_field("state").choices,
                                    required=False)  # fmt: skip


class WebhookDeliveryViewSet(WrittenOnceViewSet):
    """Each event sent to an endpoint, with every attempt: status, time, duration and the
    first bytes of the answer."""

    queryset = WebhookDelivery.objects.prefetch_related("tries")
    serializer_class = WebhookDeliverySerializer
    filters_class = DeliveryFilters
    read_scope = Scope.WEBHOOKS
    write_scope = Scope.WEBHOOKS

    @extend_schema(parameters=[DeliveryFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)

    def filter_list(self, queryset: Any, filters: Any) -> Any:
        queryset = super().filter_list(queryset, filters)
        if "endpoint" in filters:
            queryset = queryset.filter(endpoint_id=filters["endpoint"])
        if "state" in filters:
            queryset = queryset.filter(state=filters["state"])
        return queryset

    @extend_schema(request=None, responses={200: REPLAYED})
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str) -> Response:
        """Send this delivery again, with the same webhook-id."""
        return Response({"replayed": services.replay(deliveries=[self.get_object()])})
