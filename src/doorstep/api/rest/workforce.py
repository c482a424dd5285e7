"""Technicians: who they are, what they can do and when they work."""

from __future__ import annotations

from rest_framework import serializers

from doorstep.api.rest.resources import ResourceViewSet
from doorstep.workforce import services
from doorstep.workforce.models import Resource, ResourceSkill, TimeOff, Weekday, WorkingHours


class SkillLevelSerializer(serializers.ModelSerializer):
    skill = serializers.CharField(source="skill.name")

    class Meta:
        model = ResourceSkill
        fields = ("skill", "proficiency")


class WorkingHoursSerializer(serializers.ModelSerializer):
    # Declared, not derived: the derived field's range is the database's integer range,
    # which would make the OpenAPI document differ between SQLite and PostgreSQL.
    weekday = serializers.ChoiceField(choices=Weekday.choices)

    class Meta:
        model = WorkingHours
        fields = ("weekday", "start_time", "end_time")


class TimeOffSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ("start", "end", "reason")


class TechnicianSerializer(serializers.ModelSerializer):
    skills = SkillLevelSerializer(source="skill_levels", many=True, read_only=True)
    working_hours = WorkingHoursSerializer(many=True, read_only=True)
    time_off = TimeOffSerializer(many=True, read_only=True)

    class Meta:
        model = Resource
        fields = ("id", "external_id", "display_name", "email", "phone", "time_zone",
                  "home_latitude", "home_longitude", "active", "skills", "working_hours",
                  "time_off", "created_at", "updated_at")  # fmt: skip
        read_only_fields = ("id", "created_at", "updated_at")


class TechnicianViewSet(ResourceViewSet):
    """Technicians. Their sign-in and tracking device are set in the back office."""

    queryset = Resource.objects.prefetch_related("skill_levels__skill", "working_hours", "time_off")
    serializer_class = TechnicianSerializer

    def save_record(self, record: Resource) -> Resource:
        return services.save_technician(technician=record)

    def delete_record(self, record: Resource) -> None:
        services.delete_technician(technician=record)
