"""A visit's photos and service reports, as the company's own systems read them (and photos
sent to a visit in progress)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
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
from doorstep.api.rest.pages import CreationCursorPagination
from doorstep.api.rest.resources import ReadOnlyResourceViewSet, id_filter
from doorstep.history import services
from doorstep.history.models import (
    Photo,
    PhotoTag,
    ServiceReport,
)
from doorstep.history.photos import PhotoRefused
from doorstep.scheduling.models import Booking


class PhotoSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="The photo, cleaned of its metadata.")
    thumbnail = serializers.SerializerMethodField(help_text="A small version of it.")

    class Meta:
        model = Photo
        fields = ("id", "booking", "tag", "caption", "client_upload_id", "width", "height",
                  "file", "thumbnail", "created_at")  # fmt: skip
        read_only_fields = fields

    def get_file(self, photo: Photo) -> str:
        return link(self.context["request"], "photo-file", photo.pk)

    def get_thumbnail(self, photo: Photo) -> str:
        return link(self.context["request"], "photo-thumbnail", photo.pk)


class PhotoUpload(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or HEIC photo; its metadata is removed.")
    booking = serializers.PrimaryKeyRelatedField(
        queryset=Booking.objects.all(), help_text="A visit in progress."
    )
    tag = serializers.ChoiceField(choices=PhotoTag.choices, default=PhotoTag.OTHER)
    caption = serializers.CharField(max_length=300, required=False, allow_blank=True)
    client_upload_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Your id for this upload: sent again, the same photo is answered (200).",
    )


class PhotoFilters(serializers.Serializer):
    booking = id_filter()
    tag = serializers.ChoiceField(choices=PhotoTag.choices, required=False)
    created_since = serializers.DateTimeField(required=False)


class PhotoViewSet(ReadOnlyResourceViewSet):
    """Photos taken at visits, oldest first. They are added while a visit is in progress."""

    queryset = Photo.objects.all()
    serializer_class = PhotoSerializer
    filters_class = PhotoFilters
    pagination_class = CreationCursorPagination

    def get_parsers(self) -> list[Any]:
        return [MultiPartParser(), FormParser()]

    def filter_list(self, queryset: QuerySet[Any], filters: Mapping[str, Any]) -> QuerySet[Any]:
        queryset = filtered(super().filter_list(queryset, filters), filters, ("booking",))
        if "tag" in filters:
            queryset = queryset.filter(tag=filters["tag"])
        return queryset

    @extend_schema(parameters=[PhotoFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(
        request={MULTIPART[0]: PhotoUpload},
        responses={201: PhotoSerializer, 200: PhotoSerializer},
    )
    def create(self, request: Request) -> Response:
        """Add a photo to a visit in progress (multipart/form-data)."""
        if not isinstance(request.data, Mapping):
            raise ValidationError({"file": ["Send the photo as multipart/form-data."]})
        upload = PhotoUpload(data=dict(request.data.items()))
        upload.is_valid(raise_exception=True)
        fields = upload.validated_data
        try:
            photo, created = services.add_photo(
                booking=fields["booking"],
                upload=fields["file"],
                size=fields["file"].size,
                client_upload_id=fields.get("client_upload_id", ""),
                tag=fields["tag"],
                caption=fields.get("caption", ""),
                uploaded_by=None,
            )
        except PhotoRefused as error:
            raise refused_file(error) from None
        except services.RecordRefused as error:
            raise refused_file(error, "booking") from None
        return self.answer(photo, created=created)

    @extend_schema(responses=file_responses("image/jpeg"))
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> HttpResponse:
        """The photo (JPEG)."""
        return file_answer("photo", pk)

    @extend_schema(responses=file_responses("image/jpeg"))
    @action(detail=True, methods=["get"])
    def thumbnail(self, request: Request, pk: str) -> HttpResponse:
        """The photo's thumbnail (JPEG)."""
        return file_answer("thumbnail", pk)


class ServiceReportSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="The report's PDF.")

    class Meta:
        model = ServiceReport
        fields = ("id", "booking", "version", "sha256", "supersedes", "file", "created_at")
        read_only_fields = fields

    def get_file(self, report: ServiceReport) -> str:
        return link(self.context["request"], "service-report-file", report.pk)


class ServiceReportFilters(serializers.Serializer):
    booking = id_filter()
    created_since = serializers.DateTimeField(required=False)


class ServiceReportViewSet(ReadOnlyResourceViewSet):
    """The PDF reports made when visits are completed, never changed: a correction is a
    new version that names the one it supersedes (`visit.report_ready` says when)."""

    queryset = ServiceReport.objects.all()
    serializer_class = ServiceReportSerializer
    filters_class = ServiceReportFilters
    pagination_class = CreationCursorPagination

    def filter_list(self, queryset: QuerySet[Any], filters: Mapping[str, Any]) -> QuerySet[Any]:
        return filtered(super().filter_list(queryset, filters), filters, ("booking",))

    @extend_schema(parameters=[ServiceReportFilters])
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(responses=file_responses("application/pdf"))
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> HttpResponse:
        """The report's PDF: its SHA-256 is the record's `sha256`."""
        return file_answer("report", pk)
