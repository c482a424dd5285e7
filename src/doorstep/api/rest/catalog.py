"""Service types: the kinds of visit the company offers, and which ones customers may book."""

from __future__ import annotations

from rest_framework import serializers

from doorstep.api.rest.resources import ResourceViewSet
from doorstep.catalog import services
from doorstep.catalog.models import IncidentType, IncidentTypeSkill


class RequiredSkillSerializer(serializers.ModelSerializer):
    skill = serializers.CharField(source="skill.name")

    class Meta:
        model = IncidentTypeSkill
        fields = ("skill", "minimum_proficiency")


class ServiceTypeSerializer(serializers.ModelSerializer):
    shown_in_portal = serializers.BooleanField(
        source="portal_enabled", required=False, help_text="Customers can book it."
    )
    required_skills = RequiredSkillSerializer(
        source="skill_requirements", many=True, read_only=True
    )

    class Meta:
        model = IncidentType
        fields = ("id", "external_id", "name", "display_name", "description",
                  "shown_in_portal", "estimated_duration_minutes", "required_skills",
                  "created_at", "updated_at")  # fmt: skip
        read_only_fields = ("id", "created_at", "updated_at")


class ServiceTypeViewSet(ResourceViewSet):
    """Service types; `display_name` is what customers see, `name` what the office uses."""

    queryset = IncidentType.objects.prefetch_related("skill_requirements__skill")
    serializer_class = ServiceTypeSerializer

    def save_record(self, record: IncidentType) -> IncidentType:
        return services.save_service_type(service_type=record)

    def delete_record(self, record: IncidentType) -> None:
        services.delete_service_type(service_type=record)
