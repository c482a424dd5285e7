"""The service history as the company's own systems see it: documents (pushed in by a
billing system, say, and published to the customer), the photos of a visit and its
service reports. Files go up as multipart uploads and come down from `/file`; every
upload is checked by the same services as the back office's and the technician's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.api.rest.history_files import (
    MULTIPART,
    file_answer,
    file_responses,
    filtered,
    link,
    refused_file,
)
from doorstep.api.rest.problems import Conflict
from doorstep.api.rest.resources import (
    EXTERNAL_ID_PATTERN,
    IF_MATCH,
    ReadOnlyResourceViewSet,
    as_api_error,
    check_if_match,
    id_filter,
)
from doorstep.customers.models import Asset, FunctionalLocation
from doorstep.history import services
from doorstep.history.documents import DocumentRefused
from doorstep.history.models import (
    Document,
    DocumentType,
    Visibility,
)
from doorstep.scheduling.models import Booking


class DocumentSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="Where to download the file.")

    class Meta:
        model = Document
        fields = ("id", "external_id", "account", "booking", "site", "asset", "type", "title",
                  "visibility", "published_at", "file_name", "content_type", "size", "file",
                  "created_at", "updated_at")  # fmt: skip
        read_only_fields = ("id", "account", "booking", "site", "asset", "visibility",
                            "published_at", "file_name", "content_type", "size",
                            "created_at", "updated_at")  # fmt: skip

    def get_file(self, document: Document) -> str:
        return link(self.context["request"], "document-file", document.pk)


class DocumentUpload(serializers.Serializer):
    file = serializers.FileField(
        help_text="A PDF, JPEG or PNG, checked by its content, at most "
        "DOORSTEP_DOCUMENT_MAX_MB (10 MB unless set)."
    )
    booking = serializers.PrimaryKeyRelatedField(
        queryset=Booking.objects.all(), required=False, help_text="The visit it is for."
    )
    site = serializers.PrimaryKeyRelatedField(
        queryset=FunctionalLocation.objects.all(), required=False, help_text="Or the site."
    )
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(), required=False, help_text="Or the equipment."
    )
    type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        help_text="`customer` publishes it at once (`document.published`).",
    )
    external_id = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Its id in your system."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.context.get("replacing"):
            return attrs
        if sum(1 for name in ("booking", "site", "asset") if attrs.get(name)) != 1:
            raise ValidationError(
                {
                    "booking": [
                        "Attach the document to one visit, one site or one piece of "
                        "equipment: send one of booking, site and asset."
                    ]
                }
            )
        external_id = attrs.get("external_id", "")
        if external_id and Document.objects.filter(external_id=external_id).exists():
            raise ValidationError(
                {
                    "external_id": [
                        "Another document already has this external ID: PUT "
                        "/documents/by-external-id/{id} replaces it."
                    ]
                }
            )
        return attrs


class DocumentFilters(serializers.Serializer):
    account = id_filter()
    booking = id_filter()
    site = id_filter()
    asset = id_filter()
    type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    external_id = serializers.CharField(required=False, max_length=200)
    updated_since = serializers.DateTimeField(required=False)
    created_since = serializers.DateTimeField(required=False)


class PublishRequest(serializers.Serializer):
    tell_customer = serializers.BooleanField(
        default=False,
        help_text="Send the account's contacts the “new documents” message too (if the "
        "portal's settings send it).",
    )


class DocumentViewSet(ReadOnlyResourceViewSet):
    """Documents of a visit, a site or a piece of equipment: invoices, quotes,
    certificates, manuals. Office only until published; the customer sees a published
    one in the portal."""

    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    filters_class = DocumentFilters

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) in {"create", "by_external_id"} or (
            self.request is not None and self.request.method in {"POST", "PUT"}
        ):
            return [MultiPartParser(), FormParser(), JSONParser()]
        return [JSONParser()]

    def filter_list(self, queryset: QuerySet[Any], filters: Mapping[str, Any]) -> QuerySet[Any]:
        queryset = super().filter_list(queryset, filters)
        queryset = filtered(queryset, filters, ("account", "booking", "site", "asset", "type"))
        if "visibility" in filters:
            queryset = queryset.filter(visibility=filters["visibility"])
        return queryset

    @extend_schema(parameters=[DocumentFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)

    def _upload(self, data: Any, *, replacing: bool) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise ValidationError({"file": ["Send the file as multipart/form-data."]})
        # A form's fields, one value each, whatever the parser made of them.
        upload = DocumentUpload(data=dict(data.items()), context={"replacing": replacing})
        upload.is_valid(raise_exception=True)
        return dict(upload.validated_data)

    @extend_schema(
        request={MULTIPART[0]: DocumentUpload},
        responses={201: DocumentSerializer},
    )
    def create(self, request: Request) -> Response:
        """Upload a document (multipart/form-data). A refused file is a 400 that names
        the field and says why; nothing is kept of it."""
        fields = self._upload(request.data, replacing=False)
        upload = fields["file"]
        try:
            document = services.add_document(
                upload=upload,
                size=upload.size,
                name=upload.name or "",
                title=fields["title"],
                document_type=fields["type"],
                booking=fields.get("booking"),
                site=fields.get("site"),
                asset=fields.get("asset"),
                visibility=fields["visibility"],
                external_id=fields.get("external_id", ""),
            )
        except DocumentRefused as error:
            raise refused_file(error) from None
        return self.answer(document, created=True)

    @extend_schema(
        request={MULTIPART[0]: DocumentUpload},
        parameters=[IF_MATCH],
        responses={200: DocumentSerializer, 201: DocumentSerializer},
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=f"by-external-id/(?P<external_id>{EXTERNAL_ID_PATTERN})",
    )
    def by_external_id(self, request: Request, external_id: str) -> Response:
        """Upload the document with this external ID, or put this file and these details
        in place of its own (it stays where it is attached): a nightly push sends the same
        request and nothing is made twice."""
        existing = Document.objects.filter(external_id=external_id).first()
        if existing is None:
            fields = self._upload(request.data, replacing=False)
            upload = fields["file"]
            try:
                document = services.add_document(
                    upload=upload,
                    size=upload.size,
                    name=upload.name or "",
                    title=fields["title"],
                    document_type=fields["type"],
                    booking=fields.get("booking"),
                    site=fields.get("site"),
                    asset=fields.get("asset"),
                    visibility=fields["visibility"],
                    external_id=external_id,
                )
            except DocumentRefused as error:
                raise refused_file(error) from None
            return self.answer(document, created=True)
        check_if_match(request, existing)
        fields = self._upload(request.data, replacing=True)
        upload = fields["file"]
        try:
            document = services.replace_document(
                document=existing,
                upload=upload,
                size=upload.size,
                name=upload.name or "",
                title=fields["title"],
                document_type=fields["type"],
                visibility=fields["visibility"],
            )
        except DocumentRefused as error:
            raise refused_file(error) from None
        return self.answer(document)

    @extend_schema(parameters=[IF_MATCH], request=DocumentSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a document's title, type or external ID (its file: PUT by external ID)."""
        with transaction.atomic():
            document = self.get_queryset().select_for_update().get(pk=pk)
            check_if_match(request, document)
            serializer = self.get_serializer(document, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            for name, value in serializer.validated_data.items():
                setattr(document, name, value)
            try:
                saved = services.save_document_details(document=document)
            except DjangoValidationError as error:
                raise as_api_error(error, serializer) from None
        return self.answer(saved)

    @extend_schema(parameters=[IF_MATCH], responses={204: OpenApiResponse(description="Deleted")})
    def destroy(self, request: Request, pk: str) -> Response:
        """Delete a document and its file (listed in /deletions for syncs)."""
        with transaction.atomic():
            document = self.get_object()
            check_if_match(request, document)
            services.remove_document(document=document)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PublishRequest, responses={200: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Show an office-only document to the customer from now on (`document.published`);
        409 if it already is."""
        options = PublishRequest(data=request.data if isinstance(request.data, Mapping) else {})
        options.is_valid(raise_exception=True)
        document = self.get_object()
        try:
            published = services.publish_document(
                document=document,
                published_by=None,
                tell_customer=options.validated_data["tell_customer"],
            )
        except DocumentRefused as error:
            raise Conflict(error.message) from None
        return self.answer(published)

    @extend_schema(
        responses=file_responses("application/pdf", "image/jpeg", "image/png"),
        parameters=[OpenApiParameter("download", OpenApiTypes.BOOL, description="As a file.")],
    )
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> HttpResponse:
        """The document's file, as uploaded (its checked type and cleaned name)."""
        return file_answer(
            "document", pk, as_attachment=request.query_params.get("download") == "1"
        )
