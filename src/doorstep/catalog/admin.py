"""Back office pages for the service catalog: service types and the skills they need."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from doorstep.catalog.models import IncidentType, IncidentTypeSkill
from doorstep.core.admin import DeletionsRecordedAdmin


class RequiredSkillInline(admin.TabularInline[IncidentTypeSkill, IncidentType]):
    model = IncidentTypeSkill
    fields = ("skill", "minimum_proficiency")
    autocomplete_fields = ("skill",)
    extra = 0
    verbose_name_plural = "required skills (a technician needs each, at least at this level)"


@admin.register(IncidentType)
class IncidentTypeAdmin(DeletionsRecordedAdmin[IncidentType]):
    list_display = (
        "display_name",
        "name",
        "estimated_duration_minutes",
        "portal_enabled",
        "required_skills_summary",
    )
    list_filter = ("portal_enabled", "required_skills")
    search_fields = ("name", "display_name", "description")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("display_name", "name", "estimated_duration_minutes")}),
        ("Customer portal", {"fields": ("portal_enabled", "description")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (RequiredSkillInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[IncidentType]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "skill_requirements",
                    queryset=IncidentTypeSkill.objects.select_related("skill"),
                )
            )
        )

    @admin.display(description="required skills")
    def required_skills_summary(self, incident_type: IncidentType) -> str:
        return ", ".join(str(need) for need in incident_type.skill_requirements.all())
