"""The Documents list: every document, with publishing to the customer as its own step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.core.admin import DeletionsRecordedAdmin
from doorstep.core.errors import DomainError
from doorstep.history import services
from doorstep.history.admin.inlines import (
    DocumentUploadForm,
    download_link,
    shown_to,
    staff_user,
)
from doorstep.history.models import (
    Document,
)
from doorstep.scheduling.models import BookingStatus


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
        label="Send the customer a message about the new document",
        help_text="By email and text message as the portal's message settings say "
        "(“New documents”).",
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
        return shown_to(document)

    @admin.display(description="file")
    def download(self, document: Document) -> SafeString:
        return download_link(document)

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
        # A visit's message leads to the visit's page, which shows documents once it is
        # completed; a site's or equipment's leads to its page in the signed-in portal.
        can_tell = document.booking is None or document.booking.status == (BookingStatus.COMPLETED)
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
