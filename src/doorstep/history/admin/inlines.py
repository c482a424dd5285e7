"""The service history on other pages: documents on a visit, site or equipment, and what a
visit left behind (record, photos, reports) on the booking's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.customers.models import Asset, FunctionalLocation
from doorstep.history import documents, services
from doorstep.history.models import (
    Document,
    Photo,
    ServiceReport,
    VisitRecord,
)
from doorstep.history.services import MEGABYTE
from doorstep.scheduling.models import Booking
from doorstep.users.models import User


# The booking's page imports this module, so it cannot import the scheduling pages' own
# helpers (scheduling.admin imports its bookings page first): these two are its own.
def staff_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


class ReadOnlyInline[M: Model, P: Model](admin.TabularInline[M, P]):
    """Rows to read on their parent's page: none is added, changed or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: P | None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: HttpRequest, obj: P | None = None) -> bool:
        return False


def file_url(kind: str, pk: int) -> str:
    # The staff read files through the same checked view as customers: nothing private
    # is ever at a public address.
    return reverse("portal:file", args=[kind, pk])


def download_link(document: Document) -> SafeString:
    return format_html(
        '<a href="{}?download=1">{}</a>', file_url("document", document.pk), document.file_name
    )


# --- Adding documents ---------------------------------------------------------------------


class DocumentUploadForm(forms.ModelForm[Document]):
    """A new document: its file, type, title and who sees it. The file is read here
    by the same check the service makes, so a refusal shows on the form."""

    upload = forms.FileField(
        label="File",
        help_text="PDF, JPEG or PNG. The file's content decides, not its name.",
    )

    class Meta:
        model = Document
        fields = ("upload", "type", "title", "visibility")
        help_texts = {
            "visibility": "Customer: the customer sees it at once. To tell them, keep it "
            "for the office and publish it from its page."
        }

    def has_changed(self) -> bool:
        # An empty row of the inline is no document, whatever its type and visibility
        # lists show: a document starts with a file or a title.
        if self.instance.pk is not None:
            return super().has_changed()
        return bool(self.files.get(self.add_prefix("upload"))) or bool(
            str(self.data.get(self.add_prefix("title"), "")).strip()
        )

    def clean_upload(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["upload"]
        try:
            documents.identify(
                upload,
                size=upload.size or 0,
                max_bytes=_max_document_bytes(),
            )
        except documents.DocumentRefused as refusal:
            raise ValidationError(refusal.message) from None
        return upload


def _max_document_bytes() -> int:
    from django.conf import settings

    return int(settings.DOORSTEP_DOCUMENT_MAX_MB) * MEGABYTE


class DocumentUploadFormSet(BaseInlineFormSet[Document, Any, forms.ModelForm[Document]]):
    """Saves each new document through `services.add_document`; shows no existing ones
    (the read-only inline beside it lists them)."""

    uploaded_by: User | None = None

    def get_queryset(self) -> QuerySet[Document]:
        return Document.objects.none()

    def save_new(self, form: forms.ModelForm[Document], commit: bool = True) -> Document:
        upload: UploadedFile[bytes] = form.cleaned_data["upload"]
        return services.add_document(
            upload=upload,
            size=upload.size or 0,
            name=upload.name or "",
            title=form.cleaned_data["title"],
            document_type=form.cleaned_data["type"],
            visibility=form.cleaned_data["visibility"],
            uploaded_by=self.uploaded_by,
            booking=self.instance if isinstance(self.instance, Booking) else None,
            site=self.instance if isinstance(self.instance, FunctionalLocation) else None,
            asset=self.instance if isinstance(self.instance, Asset) else None,
        )


class AddDocumentInline(admin.StackedInline[Document, Any]):
    model = Document
    form = DocumentUploadForm
    formset = DocumentUploadFormSet
    extra = 1
    can_delete = False
    verbose_name = "document"
    verbose_name_plural = "add documents"

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.uploaded_by = staff_user(request)  # type: ignore[attr-defined]
        return formset

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The formset shows no existing rows; adding needs the add permission only.
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("history.add_document")


class DocumentListInline(ReadOnlyInline[Document, Any]):
    """The documents attached, to read, download and publish from their own page."""

    model = Document
    fields = ("title_link", "type", "download", "shown_to")
    readonly_fields = fields
    verbose_name_plural = "documents"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("history.view_document")

    @admin.display(description="title")
    def title_link(self, document: Document) -> SafeString:
        url = reverse("admin:history_document_change", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, document.title)

    @admin.display(description="file")
    def download(self, document: Document) -> SafeString:
        return download_link(document)

    @admin.display(description="seen by")
    def shown_to(self, document: Document) -> SafeString | str:
        return shown_to(document)


def shown_to(document: Document) -> SafeString | str:
    if document.for_the_customer:
        return "The customer (published)"
    url = reverse("admin:history_document_publish", args=[document.pk])
    return format_html('The office only · <a href="{}">Publish to the customer…</a>', url)


# --- What a visit left behind, on the booking's page --------------------------------------


class VisitRecordInline(admin.StackedInline[VisitRecord, Booking]):
    model = VisitRecord
    extra = 0
    can_delete = False
    fields = ("work_done", "internal_note", "signature_image", "signer_name", "signed_at")
    readonly_fields = fields
    verbose_name_plural = "the technician's record"

    def has_add_permission(self, request: HttpRequest, obj: Booking | None) -> bool:  # type: ignore[override]
        return False

    def has_change_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return request.user.has_perm("history.view_visitrecord")

    @admin.display(description="signature")
    def signature_image(self, record: VisitRecord) -> SafeString | str:
        if not record.signature:
            return "—"
        url = file_url("signature", record.pk)
        return format_html(
            '<img src="{}" alt="Signature of {}" height="80" class="history-signature">',
            url,
            record.signer_name,
        )


class PhotoInline(ReadOnlyInline[Photo, Booking]):
    model = Photo
    fields = ("thumbnail_image", "tag", "caption", "created_at")
    readonly_fields = fields
    verbose_name_plural = "photos"

    def has_view_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return request.user.has_perm("history.view_photo")

    @admin.display(description="photo")
    def thumbnail_image(self, photo: Photo) -> SafeString:
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" width="96" height="96" loading="lazy" '
            'style="object-fit: cover"></a>',
            file_url("photo", photo.pk),
            file_url("thumbnail", photo.pk),
            photo.caption or f"{photo.get_tag_display()} photo {photo.pk}",
        )


class ServiceReportInline(ReadOnlyInline[ServiceReport, Booking]):
    model = ServiceReport
    fields = ("version", "download", "created_at", "supersedes", "sha256")
    readonly_fields = fields
    verbose_name_plural = "service reports"

    def has_view_permission(self, request: HttpRequest, obj: Booking | None = None) -> bool:
        return request.user.has_perm("history.view_servicereport")

    @admin.display(description="PDF")
    def download(self, report: ServiceReport) -> SafeString:
        link = format_html(
            '<a href="{}">Service report {}</a>', file_url("report", report.pk), report.version
        )
        if not hasattr(report, "superseded_by"):
            url = reverse("admin:history_servicereport_correct", args=[report.pk])
            return format_html('{} · <a href="{}">Make a corrected report…</a>', link, url)
        return link


BOOKING_INLINES = (
    VisitRecordInline,
    PhotoInline,
    ServiceReportInline,
    DocumentListInline,
    AddDocumentInline,
)
PLACE_INLINES = (DocumentListInline, AddDocumentInline)


# --- The Documents list and publishing ----------------------------------------------------
