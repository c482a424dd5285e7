"""Back office pages for technicians, their skills, working hours and time off."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from doorstep.core.admin import LocalTimeZoneAdmin
from doorstep.core.timezones import wall_clock_in
from doorstep.core.validators import time_zone_names
from doorstep.workforce.models import (
    Resource,
    ResourceSkill,
    Skill,
    TimeOff,
    Weekday,
    WorkingHours,
)


def _in_zone(moment: datetime, zone_name: str) -> str:
    return f"{timezone.localtime(moment, ZoneInfo(zone_name)):%Y-%m-%d %H:%M}"


def _zone_of_technician(technician_id: str | int | None) -> ZoneInfo | None:
    if technician_id is None or not str(technician_id).isdigit():
        return None
    name = Resource.objects.filter(pk=technician_id).values_list("time_zone", flat=True).first()
    return ZoneInfo(name) if name else None


def _zone_posted(request: HttpRequest) -> ZoneInfo | None:
    name = request.POST.get("time_zone", "") if request.method == "POST" else ""
    return ZoneInfo(name) if name in time_zone_names() else None


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


class ResourceForm(forms.ModelForm[Resource]):
    class Meta:
        model = Resource
        fields = "__all__"
        labels = {"user": "sign-in for the technician app"}


@admin.register(Resource)
class ResourceAdmin(LocalTimeZoneAdmin[Resource]):
    form = ResourceForm
    list_display = ("display_name", "active", "skills_summary", "phone", "email", "time_zone")
    list_filter = ("active", "skills", ("time_zone", admin.AllValuesFieldListFilter))
    search_fields = ("display_name", "email", "phone", "user__email", "skills__name")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("display_name", "active", "photo")}),
        ("How to reach them", {"fields": ("phone", "email", "user", "tracking_device_id")}),
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Resource]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("skill_levels", queryset=ResourceSkill.objects.select_related("skill"))
            )
        )

    def page_time_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        # Time off is typed and shown in the technician's own time zone, like their hours:
        # the zone being saved when there is one (a new technician, or a changed zone).
        zone = _zone_posted(request) or _zone_of_technician(object_id)
        if zone is None and object_id is None:
            zone = ZoneInfo(settings.DOORSTEP_DEFAULT_TIME_ZONE)
        return zone

    @admin.display(description="skills")
    def skills_summary(self, resource: Resource) -> str:
        return ", ".join(str(level) for level in resource.skill_levels.all())


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
        return _zone_of_technician(technician_id)

    @admin.display(description="from (technician's time)", ordering="start")
    def starts(self, time_off: TimeOff) -> str:
        return _in_zone(time_off.start, time_off.resource.time_zone)

    @admin.display(description="until (technician's time)", ordering="end")
    def ends(self, time_off: TimeOff) -> str:
        return _in_zone(time_off.end, time_off.resource.time_zone)
