"""The portal settings: one page, one row, its sections as fieldsets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from doorstep.configuration.models import InvitePolicy, PortalSettings

COLOUR_FIELDS = ("text_color", "background_color", "foreground_color")


class PortalSettingsForm(forms.ModelForm[PortalSettings]):
    class Meta:
        model = PortalSettings
        fields = "__all__"
        # A colour picker in every browser; the model's validator still checks the value.
        widgets = {name: forms.TextInput(attrs={"type": "color"}) for name in COLOUR_FIELDS}


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin[PortalSettings]):
    form = PortalSettingsForm
    autocomplete_fields = ("excluded_accounts", "excluded_incident_types")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            "General",
            {
                "fields": (
                    "notifications_enabled",
                    "communication_type",
                    "send_messages_to",
                    (
                        "notify_invitation",
                        "notify_booking_confirmed",
                        "notify_reminder",
                        "notify_traveling",
                    ),
                    (
                        "notify_running_late",
                        "notify_rescheduled",
                        "notify_canceled",
                        "notify_completed",
                        "notify_turned_back",
                    ),
                    ("reminder_days_before", "reminder_time"),
                    "running_late_margin_minutes",
                    "include_survey",
                    "show_technician_details",
                    "invite_contacts",
                ),
                "description": "Which messages customers get, when, and through which channels.",
            },
        ),
        (
            "Display",
            {
                "fields": (
                    "company_name",
                    "page_title",
                    "header_image",
                    "font_family",
                    ("text_color", "background_color", "foreground_color"),
                    ("contact_email", "contact_phone"),
                    "page_footer",
                ),
                "description": "How the customer portal looks.",
            },
        ),
        (
            "Self-scheduling",
            {
                "fields": (
                    ("minimum_lead_days", "maximum_lead_days"),
                    "slot_length_minutes",
                    "maximum_travel_radius_km",
                    "asset_selection_enabled",
                    "additional_details_enabled",
                ),
                "description": "What customers may book themselves in the portal.",
            },
        ),
        (
            "Exclusion lists",
            {
                "fields": ("excluded_accounts", "excluded_incident_types"),
                "description": "Accounts and service types that never get messages.",
            },
        ),
        ("Record", {"fields": ("updated_at",), "classes": ("collapse",)}),
    )

    def _single_page(self) -> HttpResponseRedirect:
        settings = PortalSettings.load()
        info = (self.opts.app_label, self.opts.model_name)
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[settings.pk]))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._single_page()

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The one row exists as soon as anyone asks for it; there is nothing to add.
        return self._single_page()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: PortalSettings | None = None
    ) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PortalSettings, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if (
            obj.invite_contacts == InvitePolicy.ALL_CONTACTS
            and "invite_contacts" in form.changed_data
        ):
            # Invite the existing contacts now rather than at the next hourly run.
            from doorstep.access.tasks import invite_existing_contacts

            transaction.on_commit(invite_existing_contacts.enqueue)
            self.message_user(
                request, "Invitations to the existing contacts are being sent.", messages.INFO
            )

    def response_change(self, request: HttpRequest, obj: PortalSettings) -> HttpResponse:
        response = super().response_change(request, obj)
        if "_continue" not in request.POST:
            # "Save" would go to the list, which is this same page; say so by staying here.
            return HttpResponseRedirect(request.path)
        return response
