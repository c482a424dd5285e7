"""Back office pages for service plans and the changes customers ask for."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from doorstep.core.admin import DeletionsRecordedAdmin
from doorstep.plans import services
from doorstep.plans.models import ChangeRequest, ServicePlan


class ChangeRequestInline(admin.TabularInline[ChangeRequest, ServicePlan]):
    model = ChangeRequest
    extra = 0
    # Marked handled from the change requests' list (its action), as the API does.
    fields = ("created_at", "contact", "text", "handled_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: ServicePlan | None = None) -> bool:
        return False  # customers write them, from the portal


@admin.register(ServicePlan)
class ServicePlanAdmin(DeletionsRecordedAdmin[ServicePlan]):
    list_display = ("name", "account", "service_type", "asset", "schedule", "status")
    list_select_related = ("account", "service_type", "asset")
    list_filter = ("status", "service_type")
    search_fields = ("name", "account__name", "asset__name", "external_id")
    autocomplete_fields = ("account", "asset", "site")
    inlines = (ChangeRequestInline,)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("account", "name", "service_type", "asset", "site", "status")}),
        ("When", {"fields": ("every", "unit", "starts_on", "ends_on")}),
        ("For the customer", {"fields": ("customer_note",)}),
        (
            "Record",
            {"fields": ("external_id", "created_at", "updated_at"), "classes": ("collapse",)},
        ),
    )

    @admin.display(description="repeats")
    def schedule(self, plan: ServicePlan) -> str:
        return f"every {plan.every} {plan.get_unit_display()} from {plan.starts_on:%Y-%m-%d}"


class HandledFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[ChangeRequest]
    ) -> list[tuple[str, str]]:
        return [("open", "Open"), ("handled", "Handled")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ChangeRequest]
    ) -> QuerySet[ChangeRequest]:
        if self.value() in {"open", "handled"}:
            return queryset.filter(handled_at__isnull=self.value() == "open")
        return queryset


@admin.register(ChangeRequest)
class ChangeRequestAdmin(DeletionsRecordedAdmin[ChangeRequest]):
    list_display = ("created_at", "plan", "contact", "text", "handled_at")
    list_select_related = ("plan__account", "contact")
    list_filter = (HandledFilter, "created_at")
    search_fields = ("text", "plan__name", "plan__account__name")
    # Marked handled by the list's action, through the service, as the API does.
    fields = ("plan", "contact", "text", "created_at", "handled_at")
    readonly_fields = fields
    actions = ("mark_handled",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers write them, from the portal

    @admin.action(description="Mark the selected requests as handled")
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[ChangeRequest]) -> None:
        waiting = list(queryset.filter(handled_at__isnull=True))
        for change in waiting:
            services.mark_handled(request=change)
        self.message_user(
            request, f"{len(waiting)} request(s) marked as handled.", messages.SUCCESS
        )
