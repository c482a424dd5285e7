"""Back office pages for the service catalog: service types and the skills they need."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from doorstep.catalog.models import TRANSLATED_FIELDS, IncidentType, IncidentTypeSkill
from doorstep.configuration import languages
from doorstep.configuration.translation_forms import (
    TranslationsFormMixin,
    language_fieldsets,
    with_translations,
)
from doorstep.core.admin import DeletionsRecordedAdmin

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


class ServiceTypeFormBase(TranslationsFormMixin, forms.ModelForm[IncidentType]):
    translated_fields = TRANSLATED_FIELDS

    class Meta:
        model = IncidentType
        fields = (
            "display_name",
            "name",
            "estimated_duration_minutes",
            "portal_enabled",
            "description",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_translations()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.store_translations(cleaned)
        return cleaned


ServiceTypeForm = with_translations(ServiceTypeFormBase, IncidentType, TRANSLATED_FIELDS)


class RequiredSkillInline(admin.TabularInline[IncidentTypeSkill, IncidentType]):
    model = IncidentTypeSkill
    fields = ("skill", "minimum_proficiency")
    autocomplete_fields = ("skill",)
    extra = 0
    verbose_name_plural = "required skills (a technician needs each, at least at this level)"


@admin.register(IncidentType)
class IncidentTypeAdmin(DeletionsRecordedAdmin[IncidentType]):
    form = ServiceTypeForm
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

    def get_fieldsets(self, request: HttpRequest, obj: IncidentType | None = None) -> _FieldsetSpec:
        # What customers of each language read, after what they read by default.
        fieldsets = list(super().get_fieldsets(request, obj))
        company = languages.company_language()
        per_language = language_fieldsets(TRANSLATED_FIELDS, company_language=company)
        return [*fieldsets[:2], *per_language, *fieldsets[2:]]

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
