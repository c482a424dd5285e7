"""What every resource of the API shares: lists a sync can walk, reads with an ETag,
changes that refuse to overwrite a newer one, and create-or-update by external ID.

A resource names its model, its serializer (which only checks and shapes fields) and the
domain service that saves a record; the service checks the record as the back office
would, so the API can never store what the back office would refuse.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.api.rest import idempotency, requests_log
from doorstep.api.rest.keys import rate_limit_headers
from doorstep.api.rest.pages import CreationCursorPagination
from doorstep.api.rest.problems import PreconditionFailed

EXTERNAL_ID_PATTERN = r"[^/]{1,200}"
# Ids are 64-bit integers on every database: a larger number in a filter would not fit.
LARGEST_ID = 2**63 - 1


def id_filter(**options: Any) -> serializers.IntegerField:
    """A list filter that names a record by its id: a number the database can hold."""
    return serializers.IntegerField(required=False, min_value=1, max_value=LARGEST_ID, **options)


class ListFilters(serializers.Serializer):
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only records changed at or after this time (ISO 8601 with a zone).",
    )
    external_id = serializers.CharField(
        required=False, max_length=200, help_text="Only the record with this external ID."
    )


class CreatedSinceFilters(serializers.Serializer):
    created_since = serializers.DateTimeField(
        required=False,
        help_text="Only records made at or after this time (ISO 8601 with a zone).",
    )


LIST_PARAMETERS = [
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Changed since."),
    OpenApiParameter("external_id", OpenApiTypes.STR, description="The company's own id."),
]
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: the change is refused (412) if the record changed since.",
)


def etag(record: models.Model) -> str:
    changed = getattr(record, "updated_at", None)
    stamp = changed.isoformat() if changed is not None else ""
    return '"' + hashlib.sha256(f"{record.pk}:{stamp}".encode()).hexdigest()[:32] + '"'


def check_if_match(request: Request, record: models.Model) -> None:
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in tags and etag(record) not in tags:
        raise PreconditionFailed()


class ReadOnlyResourceViewSet(viewsets.GenericViewSet):
    """List and read; every POST and PATCH (actions too) honours `Idempotency-Key`."""

    lookup_value_regex = r"[0-9]{1,18}"
    filters_class: type[serializers.Serializer] = ListFilters

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.started = time.perf_counter()
        self.idempotency: idempotency.Claim | None = None
        super().initial(request, *args, **kwargs)
        self.idempotency = idempotency.claim(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, idempotency.Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        requests_log.note(request, response, started=getattr(self, "started", None))
        held = getattr(self, "idempotency", None)
        if held is not None:
            idempotency.keep(held, response)
        return response

    def get_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = self.queryset.all()
        if self.action == "list":
            filters = self.filters_class(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            queryset = self.filter_list(queryset, filters.validated_data)
        return queryset

    def filter_list(self, queryset: QuerySet[Any], filters: Mapping[str, Any]) -> QuerySet[Any]:
        if "updated_since" in filters:
            queryset = queryset.filter(updated_at__gte=filters["updated_since"])
        if "external_id" in filters:
            queryset = queryset.filter(external_id=filters["external_id"])
        if "created_since" in filters:
            queryset = queryset.filter(created_at__gte=filters["created_since"])
        return queryset

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.answer(self.get_object())

    def answer(self, record: models.Model, *, created: bool = False) -> Response:
        response = Response(
            self.get_serializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        response["ETag"] = etag(record)
        if created:
            response["Location"] = self.reverse_action("detail", args=[record.pk])
        return response


class ResourceViewSet(ReadOnlyResourceViewSet):
    """List, read, create, replace (PUT), change (PATCH), delete, and PUT by external ID."""

    def save_record(self, record: Any) -> models.Model:
        """Check and save `record` through the domain's service (ValidationError if bad)."""
        raise NotImplementedError

    def delete_record(self, record: Any) -> None:
        raise NotImplementedError

    def create(self, request: Request) -> Response:
        return self.write(None, request.data, partial=False)

    @extend_schema(parameters=[IF_MATCH])
    def update(self, request: Request, pk: str) -> Response:
        return self.write(pk, request.data, partial=False)

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.write(pk, request.data, partial=True)

    @extend_schema(parameters=[IF_MATCH], responses={204: OpenApiResponse(description="Deleted")})
    def destroy(self, request: Request, pk: str) -> Response:
        with transaction.atomic():
            record = self.get_object()
            check_if_match(request, record)
            self.delete_record(record)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[IF_MATCH],
        responses={200: OpenApiResponse(description="Updated"), 201: None},
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=f"by-external-id/(?P<external_id>{EXTERNAL_ID_PATTERN})",
    )
    def by_external_id(self, request: Request, external_id: str) -> Response:
        """Create the record with this external ID, or replace it: a sync sends the same
        request every night and nothing is created twice."""
        if not isinstance(request.data, Mapping):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        data = {**request.data, "external_id": external_id}
        existing = self.queryset.filter(external_id=external_id).values_list("pk", flat=True)
        return self.write(str(existing[0]) if existing else None, data, partial=False)

    def write(self, pk: str | None, data: Any, *, partial: bool) -> Response:
        with transaction.atomic():
            record = None
            if pk is not None:
                record = self.get_queryset().select_for_update().get(pk=pk)
                self.check_object_permissions(self.request, record)
                check_if_match(self.request, record)
            serializer = self.get_serializer(record, data=data, partial=partial)
            serializer.is_valid(raise_exception=True)
            record = record or self.queryset.model()
            for name, value in serializer.validated_data.items():
                setattr(record, name, value)
            try:
                saved = self.save_record(record)
            except DjangoValidationError as error:
                raise as_api_error(error, serializer) from None
        return self.answer(saved, created=pk is None)


def as_api_error(
    error: DjangoValidationError, serializer: serializers.Serializer
) -> ValidationError:
    """A model's refusal, with its fields named as the API names them."""
    names = {field.source: name for name, field in serializer.fields.items()}
    if not hasattr(error, "error_dict"):
        return ValidationError({"non_field_errors": error.messages})
    return ValidationError(
        {
            names.get(field, "non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    )


class WrittenOnceViewSet(ReadOnlyResourceViewSet):
    """Records that are written once (messages, visit links, feedback): listed oldest
    first and followed with `created_since` rather than `updated_since`."""

    filters_class = CreatedSinceFilters
    pagination_class = CreationCursorPagination

    @extend_schema(parameters=[CreatedSinceFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)
