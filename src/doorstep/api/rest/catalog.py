"""Service types: the kinds of visit the company offers, and which ones customers may book."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from doorstep.api.rest.resources import ResourceViewSet
from doorstep.catalog import services
from doorstep.catalog.models import IncidentType, IncidentTypeSkill


class RequiredSkillSerializer(serializers.ModelSerializer):
    skill = serializers.CharField(source="skill.name")

    class Meta:
        model = IncidentTypeSkill
        fields = ("skill", "minimum_proficiency")


def refuse_unknown_keys(serializer: serializers.Serializer, data: object) -> None:
    # Left to itself a serializer drops keys it does not know: a language or field
    # misspelt would be lost without a word.
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(serializer.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    key: [f"Unknown here; use one of {', '.join(serializer.fields)}."]
                    for key in unknown
                }
            )


class ServiceTypeWordsSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="The name in this language."
    )
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="The description in this language."
    )

    def to_internal_value(self, data: Any) -> Any:
        refuse_unknown_keys(self, data)
        return super().to_internal_value(data)


class ServiceTypeTranslationsSerializer(serializers.Serializer):
    """What customers of each language read; a language or field left out (or empty)
    falls back to the company's default language, then to `display_name` and
    `description` themselves."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            code: ServiceTypeWordsSerializer(required=False, help_text=f"In {name}.")
            for code, name in settings.LANGUAGES
        }

    def to_internal_value(self, data: Any) -> Any:
        refuse_unknown_keys(self, data)
        return super().to_internal_value(data)


class ServiceTypeSerializer(serializers.ModelSerializer):
    shown_in_portal = serializers.BooleanField(
        source="portal_enabled", required=False, help_text="Customers can book it."
    )
    required_skills = RequiredSkillSerializer(
        source="skill_requirements", many=True, read_only=True
    )
    translations = ServiceTypeTranslationsSerializer(
        required=False,
        help_text=(
            "The name and description in each language, by language code. When sent, it "
            "replaces all the translations: send every language you keep."
        ),
    )

    class Meta:
        model = IncidentType
        fields = ("id", "external_id", "name", "display_name", "description",
                  "translations", "shown_in_portal", "estimated_duration_minutes",
                  "required_skills", "created_at", "updated_at")  # fmt: skip
        read_only_fields = ("id", "created_at", "updated_at")


class ServiceTypeViewSet(ResourceViewSet):
    """Service types; `display_name` is what customers see, `name` what the office uses."""

    queryset = IncidentType.objects.prefetch_related("skill_requirements__skill")
    serializer_class = ServiceTypeSerializer

    def save_record(self, record: IncidentType) -> IncidentType:
        return services.save_service_type(service_type=record)

    def delete_record(self, record: IncidentType) -> None:
        services.delete_service_type(service_type=record)
