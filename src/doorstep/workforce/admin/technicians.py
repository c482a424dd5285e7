"""Back office pages for technicians: their skills, working hours, time off and tracking app."""

from __future__ import annotations

from collections import defaultdict
from datetime import time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from doorstep.core.admin import DeletionsRecordedAdmin, LocalTimeZoneAdmin
from doorstep.tracking.selectors import technician_location
from doorstep.tracking.services import REFUSED_KEPT_PER_TECHNICIAN
from doorstep.workforce.admin.locations import LastSeenFilter, company_time, map_url
from doorstep.workforce.admin.zones import zone_of_technician, zone_posted
from doorstep.workforce.models import (
    GUESSABLE_BELOW_LENGTH,
    Resource,
    ResourceSkill,
    TimeOff,
    Weekday,
    WorkingHours,
    new_tracking_device_id,
)

GUESSABLE_WARNING = (
    f"This tracking device id is shorter than {GUESSABLE_BELOW_LENGTH} characters: someone "
    "could find it by trying ids one after another, and then post positions in this "
    "technician's name. Give a new one, and set up the app on their phone again."
)
# What the Traccar Client app (9 and later) sets from a scanned code: the server URL is
# the code's address without its query, the rest are its settings. The values are those
# of docs/tracking-with-traccar-client.md.
APP_SETTINGS = {"accuracy": "high", "interval": "30", "distance": "50", "angle": "30"}


class WorkingHoursFormSet(BaseInlineFormSet[WorkingHours, Resource, forms.ModelForm[WorkingHours]]):
    """Refuses intervals of the same weekday that overlap, naming the day and the times."""

    def clean(self) -> None:
        super().clean()
        by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and data.get("DELETE")):
                continue
            weekday, start, end = data.get("weekday"), data.get("start_time"), data.get("end_time")
            if weekday is None or start is None or end is None or end <= start:
                continue  # the row's own errors say what is wrong with it
            by_day[int(weekday)].append((start, end))
        problems = []
        for weekday, intervals in sorted(by_day.items()):
            intervals.sort()
            latest_start, latest_end = intervals[0]
            for start, end in intervals[1:]:
                if start < latest_end:
                    problems.append(
                        f"{Weekday(weekday).label}: {latest_start:%H:%M}–{latest_end:%H:%M} "
                        f"overlaps {start:%H:%M}–{end:%H:%M}."
                    )
                if end > latest_end:
                    latest_start, latest_end = start, end
        if problems:
            raise ValidationError(
                [
                    *problems,
                    "Working hours of the same day must not overlap: "
                    "let one interval end before the next one starts.",
                ]
            )


class ResourceSkillInline(admin.TabularInline[ResourceSkill, Resource]):
    model = ResourceSkill
    fields = ("skill", "proficiency")
    autocomplete_fields = ("skill",)
    extra = 0


class WorkingHoursInline(admin.TabularInline[WorkingHours, Resource]):
    model = WorkingHours
    formset = WorkingHoursFormSet
    fields = ("weekday", "start_time", "end_time")
    extra = 0


class TimeOffInline(admin.TabularInline[TimeOff, Resource]):
    model = TimeOff
    fields = ("start", "end", "reason")
    extra = 0
    verbose_name_plural = "upcoming time off (in the technician's time zone)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TimeOff]:
        # Past time off only clutters the page; it stays on the time off list.
        return super().get_queryset(request).filter(end__gte=timezone.now())


def osmand_url() -> str:
    """The server URL the Traccar Client app sends positions to."""
    return settings.DOORSTEP_BASE_URL.rstrip("/") + reverse("api:osmand")


def app_setup_url(device_id: str) -> str:
    """What the Traccar Client app reads from a scanned code: server URL, id and settings."""
    return f"{osmand_url()}?{urlencode({'id': device_id, **APP_SETTINGS, 'buffer': 'true'})}"


def qr_code_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    # The library's own SVG markup, of a text it encodes as squares: nothing of the text
    # is written into it as markup.
    return mark_safe(str(image.to_string(encoding="unicode")))  # noqa: S308


class ResourceForm(forms.ModelForm[Resource]):
    new_tracking_device_id = forms.BooleanField(
        required=False,
        label="give a new tracking device id",
        help_text="Replaces the id with a long random one when you save. The phone's app "
        "then needs the new one: scan the code again.",
    )

    class Meta:
        model = Resource
        fields = "__all__"
        labels = {"user": "sign-in for the technician app"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get("new_tracking_device_id"):
            self.cleaned_data["tracking_device_id"] = new_tracking_device_id()
        return self.cleaned_data


class TrackingDeviceFilter(admin.SimpleListFilter):
    title = "tracking device id"
    parameter_name = "tracking_device"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("guessable", "Short: could be guessed"), ("none", "None")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "guessable":
            return queryset.filter(
                pk__in=Resource.objects.with_guessable_tracking_device_id().values("pk")
            )
        if self.value() == "none":
            return queryset.filter(tracking_device_id="")
        return queryset


@admin.register(Resource)
class ResourceAdmin(DeletionsRecordedAdmin[Resource], LocalTimeZoneAdmin[Resource]):
    form = ResourceForm
    list_display = (
        "display_name",
        "active",
        "skills_summary",
        "phone",
        "email",
        "time_zone",
        "tracking_device",
        "last_seen",
    )
    list_filter = (
        "active",
        "skills",
        ("time_zone", admin.AllValuesFieldListFilter),
        TrackingDeviceFilter,
        LastSeenFilter,
    )
    search_fields = ("display_name", "email", "phone", "user__email", "skills__name")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "updated_at", "tracking_app_setup", "location")
    actions = ("give_new_tracking_device_ids",)
    fieldsets = (
        (None, {"fields": ("display_name", "active", "photo")}),
        ("How to reach them", {"fields": ("phone", "email", "user")}),
        (
            "Tracking with the Traccar Client app",
            {
                "fields": (
                    "tracking_device_id",
                    "new_tracking_device_id",
                    "tracking_app_setup",
                ),
                "description": "For a technician who shares their location from the Traccar "
                "Client app rather than the technician app.",
            },
        ),
        (
            "Location",
            {
                "fields": ("location",),
                "description": "What the technician app or the tracking app sent lately, "
                "in the company's time zone.",
            },
        ),
        (
            "Home base and time zone",
            {
                "fields": (("home_latitude", "home_longitude"), "time_zone"),
                "description": "Routes start from the home base; working hours and time off "
                "are read in the time zone.",
            },
        ),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (ResourceSkillInline, WorkingHoursInline, TimeOffInline)

    class Media:
        css = {"all": ("workforce/technician_admin.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Resource]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("skill_levels", queryset=ResourceSkill.objects.select_related("skill"))
            )
            .annotate(last_seen_at=F("latest_position__received_at"))
        )

    def page_time_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        # Time off is typed and shown in the technician's own time zone, like their hours:
        # the zone being saved when there is one (a new technician, or a changed zone).
        zone = zone_posted(request) or zone_of_technician(object_id)
        if zone is None and object_id is None:
            zone = ZoneInfo(settings.DOORSTEP_DEFAULT_TIME_ZONE)
        return zone

    @admin.display(description="skills")
    def skills_summary(self, resource: Resource) -> str:
        return ", ".join(str(level) for level in resource.skill_levels.all())

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new technician gets an id nobody can guess; staff clear it if they do not
        # use the Traccar Client app.
        return {
            "tracking_device_id": new_tracking_device_id(),
            **super().get_changeform_initial_data(request),
        }

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "GET":
            technician = self.get_object(request, object_id)
            if technician is not None and technician.tracking_device_id_is_guessable():
                self.message_user(request, GUESSABLE_WARNING, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="tracking device id")
    def tracking_device(self, technician: Resource) -> str:
        if not technician.tracking_device_id:
            return "—"
        if technician.tracking_device_id_is_guessable():
            return "⚠ short: could be guessed"
        return "long random id"

    @admin.display(description="set up the app")
    def tracking_app_setup(self, technician: Resource) -> str:
        device_id = technician.tracking_device_id
        if not device_id:
            return "Save with a tracking device id to get the code the app scans."
        warning = (
            format_html('<p class="errornote">{}</p>', GUESSABLE_WARNING)
            if technician.tracking_device_id_is_guessable()
            else ""
        )
        return format_html(
            "{}<p>In the Traccar Client app, open the settings and scan this code: it sets "
            "the server URL, the device identifier and the tracking settings.</p>{}"
            "<p>Or type them: server URL <code>{}</code>, device identifier <code>{}</code>.</p>",
            warning,
            qr_code_svg(app_setup_url(device_id)),
            osmand_url(),
            device_id,
        )

    @admin.display(description="last seen", ordering="last_seen_at")
    def last_seen(self, technician: Resource) -> str:
        return company_time(getattr(technician, "last_seen_at", None)) or "Never"

    @admin.display(description="sent lately")
    def location(self, technician: Resource) -> str:
        # The app is told the same whatever became of its positions (so that ids cannot
        # be tried): this is where staff see that a newly set up phone is heard, and why
        # what it sends is not taken.
        if technician.pk is None:
            return "Nothing yet: the technician is not saved."
        location = technician_location(technician_id=technician.pk)
        latest = location.latest
        return render_to_string(
            "workforce/admin/location.html",
            {
                "location": location,
                "kept": REFUSED_KEPT_PER_TECHNICIAN,
                "recorded": company_time(latest.recorded_at) if latest else "",
                "received": company_time(latest.received_at) if latest else "",
                "map_url": map_url(*latest.coordinates) if latest else "",
                "refused": [
                    {
                        "position": position,
                        "received": company_time(position.received_at),
                        "recorded": company_time(position.recorded_at),
                    }
                    for position in location.refused
                ],
            },
        )

    @admin.action(description="Give the selected technicians new tracking device ids")
    def give_new_tracking_device_ids(
        self, request: HttpRequest, queryset: QuerySet[Resource]
    ) -> None:
        with transaction.atomic():
            technicians = list(queryset.exclude(tracking_device_id=""))
            for technician in technicians:
                technician.tracking_device_id = new_tracking_device_id()
            Resource.objects.bulk_update(technicians, ["tracking_device_id"])
        count = len(technicians)
        self.message_user(
            request,
            f"{count} technician{'' if count == 1 else 's'} got a new tracking device id: "
            "set up the Traccar Client app on their phones again (each technician's page has "
            "the code to scan). Technicians without an id were left without one.",
            messages.SUCCESS,
        )
