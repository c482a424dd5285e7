"""The service reports list, and a corrected report made with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.core.errors import DomainError
from doorstep.history import reports
from doorstep.history.admin.inlines import (
    file_url,
)
from doorstep.history.models import (
    ServiceReport,
)


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
        return format_html('<a href="{}">Download</a>', file_url("report", report.pk))

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
