"""Back office pages of the service history: documents, and what a visit left behind.

The office attaches documents to a visit, a site or a piece of equipment from their own
pages (an inline to add, one to read) or from the Documents list. Every upload goes
through `services.add_document`, which checks the file by its content; the form checks
it first with the same function, so a refused file says why on the form and what was
typed stays. Publishing a document to the customer is its own step with a confirmation
page. The photos, the technician's record and the service reports of a visit are read
on the booking's page; a corrected report is made there with a reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.core.admin import DeletionsRecordedAdmin
from doorstep.core.errors import DomainError
from doorstep.customers.models import Asset, FunctionalLocation
from doorstep.history import documents, reports, services
from doorstep.history.models import (
    Document,
    Photo,
    ServiceReport,
    VisitRecord,
)
from doorstep.history.services import MEGABYTE
from doorstep.scheduling.models import Booking, BookingStatus
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


def _file_url(kind: str, pk: int) -> str:
    # The staff read files through the same checked view as customers: nothing private
    # is ever at a public address.
    return reverse("portal:file", args=[kind, pk])


def _download_link(document: Document) -> SafeString:
    return format_html(
        '<a href="{}?download=1">{}</a>', _file_url("document", document.pk), document.file_name
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
        return _download_link(document)

    @admin.display(description="seen by")
    def shown_to(self, document: Document) -> SafeString | str:
        return _shown_to(document)


def _shown_to(document: Document) -> SafeString | str:
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
        url = _file_url("signature", record.pk)
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
            _file_url("photo", photo.pk),
            _file_url("thumbnail", photo.pk),
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
            '<a href="{}">Service report {}</a>', _file_url("report", report.pk), report.version
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


class AttachedToFilter(admin.SimpleListFilter):
    title = "attached to"
    parameter_name = "attached_to"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("visit", "A visit"), ("site", "A site"), ("equipment", "Equipment")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        field = {"visit": "booking", "site": "site", "equipment": "asset"}.get(self.value() or "")
        return queryset.filter(**{f"{field}__isnull": False}) if field else queryset


class DocumentAddForm(DocumentUploadForm):
    """A document added from the list: the visit, site or equipment chosen here."""

    class Meta(DocumentUploadForm.Meta):
        fields = ("upload", "type", "title", "visibility", "booking", "site", "asset")  # type: ignore[assignment]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if [cleaned.get(name) for name in ("booking", "site", "asset")].count(None) != 2:
            raise ValidationError("Choose one visit, one site or one piece of equipment.")
        return cleaned


class DocumentChangeForm(forms.ModelForm[Document]):
    class Meta:
        model = Document
        fields = ("type", "title")


class PublishForm(forms.Form):
    tell_customer = forms.BooleanField(
        required=False,
        initial=True,
        label="Send the customer a message: “new documents for your visit”",
        help_text="By email and text message as the portal's message settings say.",
    )


@admin.register(Document)
class DocumentAdmin(DeletionsRecordedAdmin[Document]):
    list_display = ("title", "type", "account", "attached_to", "shown_to", "created_at")
    list_filter = ("type", "visibility", AttachedToFilter, "account", "created_at")
    list_select_related = ("account", "booking", "site", "asset")
    search_fields = ("title", "file_name", "external_id", "account__name", "booking__reference")
    autocomplete_fields = ("booking", "site", "asset")
    date_hierarchy = "created_at"

    def get_form(
        self, request: HttpRequest, obj: Document | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Document]]:
        kwargs["form"] = DocumentChangeForm if obj is not None else DocumentAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Document | None = None) -> Any:
        if obj is None:
            return ("booking", "site", "asset", "upload", "type", "title", "visibility")
        return (
            "title",
            "type",
            "download",
            "attached_to",
            "account",
            "shown_to",
            "published_at",
            "external_id",
            "uploaded_by",
            "created_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Document | None = None) -> Any:
        if obj is None:
            return ()
        return (
            "download",
            "attached_to",
            "account",
            "shown_to",
            "published_at",
            "external_id",
            "uploaded_by",
            "created_at",
        )

    def save_model(
        self, request: HttpRequest, obj: Document, form: forms.ModelForm[Document], change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["type", "title"])
            return
        upload: UploadedFile[bytes] = form.cleaned_data["upload"]
        saved = services.add_document(
            upload=upload,
            size=upload.size or 0,
            name=upload.name or "",
            title=form.cleaned_data["title"],
            document_type=form.cleaned_data["type"],
            visibility=form.cleaned_data["visibility"],
            booking=form.cleaned_data.get("booking"),
            site=form.cleaned_data.get("site"),
            asset=form.cleaned_data.get("asset"),
            uploaded_by=staff_user(request),
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="history_document_publish",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="attached to")
    def attached_to(self, document: Document) -> SafeString:
        target: Model | None
        if document.booking_id is not None:
            target, label, url = document.booking, "Visit", "admin:scheduling_booking_change"
        elif document.site_id is not None:
            target, label, url = document.site, "Site", "admin:customers_functionallocation_change"
        else:
            target, label, url = document.asset, "Equipment", "admin:customers_asset_change"
        if target is None:
            return format_html("{}", label)
        return format_html('{} <a href="{}">{}</a>', label, reverse(url, args=[target.pk]), target)

    @admin.display(description="seen by")
    def shown_to(self, document: Document) -> SafeString | str:
        return _shown_to(document)

    @admin.display(description="file")
    def download(self, document: Document) -> SafeString:
        return _download_link(document)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(
            Document.objects.select_related("account", "booking", "site", "asset"), pk=pk
        )
        if not self.has_change_permission(request, document):
            raise PermissionDenied
        change_url = reverse("admin:history_document_change", args=[document.pk])
        if document.for_the_customer:
            self.message_user(request, "This document is already published.", messages.INFO)
            return HttpResponseRedirect(change_url)
        # The message leads to the visit's page, which shows documents once it is completed.
        can_tell = document.booking is not None and document.booking.status == (
            BookingStatus.COMPLETED
        )
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.publish_document(
                    document=document,
                    published_by=staff_user(request),
                    tell_customer=can_tell and form.cleaned_data["tell_customer"],
                )
            except DomainError as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                self.message_user(
                    request, f"“{document.title}” is published to the customer.", messages.SUCCESS
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Publish to the customer",
            "document": document,
            "form": form,
            "can_tell": can_tell,
            "attached_to": self.attached_to(document),
            "back_url": change_url,
        }
        return TemplateResponse(
            request, "admin/history/document/publish_confirmation.html", context
        )


# --- Service reports ----------------------------------------------------------------------


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label="Why a corrected report",
        max_length=reports.REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The new report says so, with this reason; the one it replaces is kept.",
    )


@admin.register(ServiceReport)
class ServiceReportAdmin(admin.ModelAdmin[ServiceReport]):
    list_display = ("__str__", "visit", "version", "created_at")
    list_select_related = ("booking__work_order__account",)
    search_fields = ("booking__reference", "booking__work_order__account__name")
    list_filter = ("created_at",)
    fields = ("visit", "version", "download", "sha256", "supersedes", "created_at")
    readonly_fields = fields
    actions = ("make_corrected_report",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ServiceReport | None = None) -> bool:
        # No report is ever changed; a correction is a new version.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ServiceReport | None = None) -> bool:
        return False

    def has_correct_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("history.view_servicereport") and request.user.has_perm(
            "scheduling.change_booking"
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="history_servicereport_correct",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="visit", ordering="booking__reference")
    def visit(self, report: ServiceReport) -> SafeString:
        url = reverse("admin:scheduling_booking_change", args=[report.booking_id])
        return format_html('<a href="{}">{}</a>', url, report.booking.reference)

    @admin.display(description="PDF")
    def download(self, report: ServiceReport) -> SafeString:
        return format_html('<a href="{}">Download</a>', _file_url("report", report.pk))

    @admin.action(description="Make a corrected report…", permissions=["correct"])
    def make_corrected_report(
        self, request: HttpRequest, queryset: QuerySet[ServiceReport]
    ) -> HttpResponse | None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose one report to correct.", messages.WARNING)
            return None
        return HttpResponseRedirect(
            reverse("admin:history_servicereport_correct", args=[chosen[0].pk])
        )

    def correct_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_correct_permission(request):
            raise PermissionDenied
        report = get_object_or_404(
            ServiceReport.objects.select_related("booking__work_order__account"), pk=pk
        )
        booking_url = reverse("admin:scheduling_booking_change", args=[report.booking_id])
        form = CorrectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            latest = reports.latest_report(report.booking_id)
            if latest is not None and latest.pk != report.pk:
                self.message_user(
                    request,
                    f"Version {latest.version} is the visit's latest report: correct that one.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(booking_url)
            try:
                made = reports.make_report(
                    report.booking_id, correction=form.cleaned_data["reason"]
                )
            except DomainError as refusal:
                form.add_error("reason", refusal.message)
            else:
                self.message_user(
                    request, f"Service report {made.version} is made.", messages.SUCCESS
                )
                return HttpResponseRedirect(booking_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Make a corrected report",
            "report": report,
            "form": form,
            "back_url": booking_url,
        }
        return TemplateResponse(request, "admin/history/servicereport/correct.html", context)
