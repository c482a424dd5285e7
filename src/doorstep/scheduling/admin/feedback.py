"""The back office's view of customers' feedback: read only, with the averages on top.

Feedback is the customer's word, so the office reads it and never edits it. The averages
per technician and per service type are those of the feedback listed, so filtering the
list (by date, say) filters the averages with it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorstep.scheduling import feedback as feedback_services
from doorstep.scheduling.models import VisitFeedback

COMMENT_EXCERPT_LENGTH = 80


@admin.register(VisitFeedback)
class VisitFeedbackAdmin(admin.ModelAdmin[VisitFeedback]):
    list_display = (
        "booking_reference",
        "service_type",
        "technician",
        "rating",
        "comment_excerpt",
        "created_at",
    )
    list_filter = ("rating", "booking__resource", "booking__work_order__incident_type")
    list_select_related = ("booking__resource", "booking__work_order__incident_type")
    search_fields = (
        "booking__reference",
        "booking__work_order__number",
        "booking__work_order__account__name",
        "comment",
    )
    date_hierarchy = "created_at"
    fields = (
        "booking_link",
        "service_type",
        "technician",
        "rating",
        "comment",
        "given_by",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: VisitFeedback | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: VisitFeedback | None = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # Only now is the list's filtered queryset known; a redirect (bad filter) has none.
        context = response.context_data if isinstance(response, TemplateResponse) else None
        if context is not None and "cl" in context:
            listed: QuerySet[VisitFeedback] = context["cl"].queryset
            context["ratings_per_technician"] = feedback_services.ratings_per_technician(listed)
            context["ratings_per_service_type"] = feedback_services.ratings_per_service_type(listed)
        return response

    @admin.display(description="booking", ordering="booking__reference")
    def booking_reference(self, feedback: VisitFeedback) -> str:
        return feedback.booking.reference

    @admin.display(description="booking")
    def booking_link(self, feedback: VisitFeedback) -> SafeString:
        url = reverse("admin:scheduling_booking_change", args=[feedback.booking_id])
        return format_html('<a href="{}">{}</a>', url, feedback.booking.reference)

    @admin.display(description="service type", ordering="booking__work_order__incident_type__name")
    def service_type(self, feedback: VisitFeedback) -> str:
        return str(feedback.booking.work_order.incident_type)

    @admin.display(description="technician", ordering="booking__resource__display_name")
    def technician(self, feedback: VisitFeedback) -> str:
        return str(feedback.booking.resource)

    @admin.display(description="comment")
    def comment_excerpt(self, feedback: VisitFeedback) -> str:
        text = " ".join(feedback.comment.split())
        if len(text) <= COMMENT_EXCERPT_LENGTH:
            return text
        return f"{text[: COMMENT_EXCERPT_LENGTH - 1]}…"
