"""Back office pages for skills and time off."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from doorstep.core.admin import LocalTimeZoneAdmin
from doorstep.core.timezones import wall_clock_in
from doorstep.workforce.admin.zones import in_zone, zone_of_technician
from doorstep.workforce.models import (
    Resource,
    Skill,
    TimeOff,
)


class SkillUseFilter(admin.SimpleListFilter):
    title = "in use"
    parameter_name = "in_use"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [
            ("technicians", "Held by a technician"),
            ("service_types", "Required by a service type"),
            ("unused", "Not used"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        held = Q(technician_levels__isnull=False)
        required = Q(incident_type_requirements__isnull=False)
        if self.value() == "technicians":
            return queryset.filter(pk__in=Skill.objects.filter(held).values("pk"))
        if self.value() == "service_types":
            return queryset.filter(pk__in=Skill.objects.filter(required).values("pk"))
        if self.value() == "unused":
            return queryset.exclude(pk__in=Skill.objects.filter(held | required).values("pk"))
        return queryset


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin[Skill]):
    list_display = ("name", "description", "technician_count", "service_type_count")
    list_filter = (SkillUseFilter,)
    search_fields = ("name", "description")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Skill]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                technician_count=Count("technician_levels", distinct=True),
                service_type_count=Count("incident_type_requirements", distinct=True),
            )
        )

    @admin.display(description="technicians", ordering="technician_count")
    def technician_count(self, skill: Skill) -> int:
        return int(skill.technician_count)  # type: ignore[attr-defined]

    @admin.display(description="service types", ordering="service_type_count")
    def service_type_count(self, skill: Skill) -> int:
        return int(skill.service_type_count)  # type: ignore[attr-defined]


class TimeOffAddForm(forms.ModelForm[TimeOff]):
    class Meta:
        model = TimeOff
        fields = ("resource", "start", "end", "reason")
        help_texts = {
            "start": "In the technician's time zone.",
            "end": "In the technician's time zone.",
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        technician = cleaned.get("resource")
        if isinstance(technician, Resource):
            zone = ZoneInfo(technician.time_zone)
            for name in ("start", "end"):
                if isinstance(cleaned.get(name), datetime):
                    cleaned[name] = wall_clock_in(cleaned[name], zone)
        return cleaned


@admin.register(TimeOff)
class TimeOffAdmin(LocalTimeZoneAdmin[TimeOff]):
    add_form = TimeOffAddForm
    list_display = ("resource", "starts", "ends", "reason")
    list_select_related = ("resource",)
    list_filter = ("resource", "start")
    search_fields = ("resource__display_name", "reason")
    autocomplete_fields = ("resource",)
    date_hierarchy = "start"
    fields = ("resource", "start", "end", "reason")

    def get_form(
        self, request: HttpRequest, obj: TimeOff | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[TimeOff]]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(
        self, request: HttpRequest, obj: TimeOff | None = None
    ) -> tuple[str, ...]:
        # The times on the change page are shown in this technician's time zone.
        return ("resource",) if obj is not None else ()

    def page_time_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        technician_id = (
            TimeOff.objects.filter(pk=object_id).values_list("resource_id", flat=True).first()
            if object_id and object_id.isdigit()
            else None
        )
        return zone_of_technician(technician_id)

    @admin.display(description="from (technician's time)", ordering="start")
    def starts(self, time_off: TimeOff) -> str:
        return in_zone(time_off.start, time_off.resource.time_zone)

    @admin.display(description="until (technician's time)", ordering="end")
    def ends(self, time_off: TimeOff) -> str:
        return in_zone(time_off.end, time_off.resource.time_zone)
