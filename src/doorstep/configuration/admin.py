"""The portal settings: one page, one row, its sections as fieldsets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from doorstep.configuration.choices import InvitePolicy
from doorstep.configuration.models import (
    DEFAULT_FONT_FAMILY,
    TRANSLATED_FIELDS,
    PortalSettings,
)
from doorstep.configuration.translation_forms import (
    TranslationsFormMixin,
    language_fieldsets,
    with_translations,
)
from doorstep.customers.models import Account, FunctionalLocation
from doorstep.scheduling.travel import Point, great_circle_km
from doorstep.workforce.models import Resource

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

COLOUR_FIELDS = ("text_color", "background_color", "foreground_color")


# Font lists that look right on every device without downloading a font: each names
# the fonts that ship with Windows, macOS, iOS, Android and Linux for one style.
FONT_STACKS: dict[str, tuple[str, str]] = {
    "system": ("System UI (the device's own)", DEFAULT_FONT_FAMILY),
    "neo-grotesque": (
        "Neo-grotesque (Helvetica, Arial)",
        "Inter, Roboto, 'Helvetica Neue', 'Arial Nova', 'Nimbus Sans', Arial, sans-serif",
    ),
    "humanist": (
        "Humanist (Calibri, Ubuntu)",
        "Seravek, 'Gill Sans Nova', Ubuntu, Calibri, 'DejaVu Sans', source-sans-pro, sans-serif",
    ),
    "geometric": (
        "Geometric (Avenir, Montserrat)",
        "Avenir, Montserrat, Corbel, 'URW Gothic', source-sans-pro, sans-serif",
    ),
    "rounded": (
        "Rounded (friendly)",
        "ui-rounded, 'Hiragino Maru Gothic ProN', Quicksand, Comfortaa, Manjari, "
        "'Arial Rounded MT', 'Arial Rounded MT Bold', Calibri, source-sans-pro, sans-serif",
    ),
    "wide": ("Wide and legible (Verdana, Tahoma)", "Verdana, Geneva, Tahoma, sans-serif"),
    "transitional": (
        "Serif, transitional (Charter, Cambria)",
        "Charter, 'Bitstream Charter', 'Sitka Text', Cambria, serif",
    ),
    "old-style": (
        "Serif, old style (Palatino)",
        "'Iowan Old Style', 'Palatino Linotype', 'URW Palladio L', P052, serif",
    ),
    "georgia": ("Serif, for screens (Georgia)", "Georgia, 'Times New Roman', serif"),
}
CUSTOM_FONT = "custom"

REMINDER_DAY_CHOICES = [
    (0, "Never: send no reminders"),
    (1, "The day before the visit"),
    *((days, f"{days} days before the visit") for days in range(2, 8)),
]

# A travel radius that leaves more than this share of the customers' places without any
# technician in reach is almost certainly a mistake (kilometres taken for miles, a zero
# too few): the page says so after saving.
UNREACHED_WARNING_SHARE = 0.5


def font_choice_of(font_family: str) -> str:
    """The list entry a font setting is, or "custom"."""
    for key, (_label, stack) in FONT_STACKS.items():
        if stack == font_family:
            return key
    return CUSTOM_FONT


class CompanyTimeZoneListAdmin[M: Model](admin.ModelAdmin[M]):
    """A list page whose dates, times, date filters and drill-down are the company's.

    Without it they follow the server's zone (UTC): a Denver office's evening messages
    would be listed under the next day.
    """

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        with timezone.override(PortalSettings.load().zone):
            return render_now(super().changelist_view(request, extra_context))


def render_now(response: HttpResponse) -> HttpResponse:
    """Render a page inside the time zone the caller activated, not after it returns."""
    if isinstance(response, TemplateResponse):
        response.render()
    return response


class PortalSettingsFormBase(TranslationsFormMixin, forms.ModelForm[PortalSettings]):
    translated_fields = TRANSLATED_FIELDS
    font = forms.ChoiceField(
        label="Font",
        choices=[
            *((key, label) for key, (label, _stack) in FONT_STACKS.items()),
            (CUSTOM_FONT, "Custom: the font list below"),
        ],
        help_text="Fonts every device already has, so pages show at once in the same style.",
    )

    class Meta:
        model = PortalSettings
        fields = "__all__"
        # A colour picker in every browser; the model's validator still checks the value.
        widgets = {
            **{name: forms.TextInput(attrs={"type": "color"}) for name in COLOUR_FIELDS},
            "reminder_days_before": forms.Select(choices=REMINDER_DAY_CHOICES),
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"font_family": "Custom font list"}
        help_texts = {
            "font_family": (
                "Used when the font above is “Custom”: font names separated by commas, "
                "ending with a generic family, for example: Inter, Arial, sans-serif."
            ),
            "header_image": (
                "Your logo, at the top of every portal page and email, shown 40 pixels high "
                "on the accent colour. Upload it at least 80 pixels high for sharp screens, "
                "wider than tall (for example 320 × 80 pixels), as a PNG with a transparent "
                "background."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["font"].initial = font_choice_of(self.instance.font_family)
        self.fields["font_family"].required = False
        self.setup_translations()

    def company_language(self) -> str:
        return str(self.instance.default_language)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        choice = cleaned.get("font")
        if choice in FONT_STACKS:
            cleaned["font_family"] = FONT_STACKS[choice][1]
            self.instance.font_family = cleaned["font_family"]
            self.errors.pop("font_family", None)
        elif (
            choice == CUSTOM_FONT
            and not cleaned.get("font_family")
            and "font_family" not in self.errors
        ):
            self.add_error("font_family", "Enter the font list to use, or pick a font above.")
        self.store_translations(cleaned)
        return cleaned


PortalSettingsForm = with_translations(PortalSettingsFormBase, PortalSettings, TRANSLATED_FIELDS)


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin[PortalSettings]):
    form = PortalSettingsForm
    autocomplete_fields = ("excluded_accounts", "excluded_incident_types")
    readonly_fields = ("updated_at", "header_image_preview")
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
                        "notify_documents",
                    ),
                    ("reminder_days_before", "reminder_time"),
                    "time_zone",
                    "default_language",
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
                    ("header_image", "header_image_preview"),
                    "font",
                    "font_family",
                    ("text_color", "background_color", "foreground_color"),
                    ("contact_email", "contact_phone"),
                    "page_footer",
                    ("email_sender_name", "email_reply_to"),
                ),
                "description": (
                    "How the customer portal looks. The wording here is what every language "
                    "shows unless it has its own, below."
                ),
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

    class Media:
        css = {"all": ("configuration/portal_settings_admin.css",)}

    def get_fieldsets(
        self, request: HttpRequest, obj: PortalSettings | None = None
    ) -> _FieldsetSpec:
        # The wording in each language right after the wording it falls back to.
        fieldsets = list(super().get_fieldsets(request, obj))
        after_display = 2
        company = (
            obj.default_language if obj is not None else PortalSettings.load().default_language
        )
        languages = language_fieldsets(TRANSLATED_FIELDS, company_language=company)
        return [*fieldsets[:after_display], *languages, *fieldsets[after_display:]]

    @admin.display(description="preview")
    def header_image_preview(self, portal: PortalSettings) -> str:
        if not portal.header_image:
            return "No image: the company name is shown instead."
        return format_html(
            '<span class="header-image-preview"><img src="{}" alt="{}"></span>',
            portal.header_image.url,
            portal.company_name,
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
        if "maximum_travel_radius_km" in form.changed_data:
            warning = travel_radius_warning(obj.maximum_travel_radius_km)
            if warning:
                self.message_user(request, warning, messages.WARNING)
        invitations_now_sent = {"invite_contacts", "notifications_enabled", "notify_invitation"}
        if (
            obj.invite_contacts == InvitePolicy.ALL_CONTACTS
            and obj.notifications_enabled
            and obj.notify_invitation
            and invitations_now_sent & set(form.changed_data)
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


def travel_radius_warning(radius_km: int) -> str:
    """A warning when the radius leaves most customer places without a technician in reach.

    The places are the active accounts' addresses and their sites that are on the map;
    a technician reaches a place within `radius_km` of their home base, as the booking
    page counts it. Empty when the radius is no limit, or most places are reached.
    """
    if radius_km <= 0:
        return ""
    bases = [
        Point(float(lat), float(lon))
        for lat, lon in Resource.objects.active().values_list("home_latitude", "home_longitude")
    ]
    on_map = {"latitude__isnull": False, "longitude__isnull": False}
    coordinates = [
        *Account.objects.filter(active=True, **on_map).values_list("latitude", "longitude"),
        *FunctionalLocation.objects.filter(account__active=True, **on_map).values_list(
            "latitude", "longitude"
        ),
    ]
    places = [
        Point(float(lat), float(lon))
        for lat, lon in coordinates
        if lat is not None and lon is not None
    ]
    if not places:
        return ""
    unreached = sum(
        not any(great_circle_km(base, place) <= radius_km for base in bases) for place in places
    )
    if unreached <= UNREACHED_WARNING_SHARE * len(places):
        return ""
    return (
        f"With a travel radius of {radius_km} km, {unreached} of the {len(places)} customer "
        "addresses and sites have no technician within reach, so customers there cannot book "
        "a visit. Check the radius (it is in kilometres) or the technicians' home bases."
    )
