"""The back office pages for service types."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from doorstep.catalog.models import IncidentType
from tests import factories
from tests.admin_pages import assert_list_queries_do_not_grow

SERVICE_TYPES = reverse("admin:catalog_incidenttype_changelist")


def test_service_type_is_added_with_its_required_skills(staff_client: Client) -> None:
    gas = factories.SkillFactory(name="Gas safety")

    response = staff_client.post(
        reverse("admin:catalog_incidenttype_add"),
        {
            "display_name": "Boiler service",
            "name": "BOILER-SVC",
            "estimated_duration_minutes": "90",
            "portal_enabled": "on",
            "skill_requirements-TOTAL_FORMS": "1",
            "skill_requirements-INITIAL_FORMS": "0",
            "skill_requirements-0-skill": str(gas.pk),
            "skill_requirements-0-minimum_proficiency": "3",
        },
    )

    assert response.status_code == 302
    service_type = IncidentType.objects.get(name="BOILER-SVC")
    assert [str(need) for need in service_type.skill_requirements.all()] == ["Gas safety ≥ 3"]


def test_service_type_duration_must_fit_in_a_day(staff_client: Client) -> None:
    response = staff_client.post(
        reverse("admin:catalog_incidenttype_add"),
        {
            "display_name": "Plant overhaul",
            "name": "OVERHAUL",
            "estimated_duration_minutes": str(25 * 60),
            "skill_requirements-TOTAL_FORMS": "0",
            "skill_requirements-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "A visit that lasts more than a day cannot be booked as one visit." in (
        response.content.decode()
    )
    assert not IncidentType.objects.exists()


def test_service_type_list_shows_names_duration_and_skills(staff_client: Client) -> None:
    need = factories.IncidentTypeSkillFactory(
        incident_type__name="AC-REPAIR",
        incident_type__display_name="Air conditioning repair",
        incident_type__estimated_duration_minutes=120,
        skill__name="Refrigerants",
    )

    response = staff_client.get(SERVICE_TYPES)

    content = response.content.decode()
    for shown in ("Air conditioning repair", "AC-REPAIR", "120", "Refrigerants ≥ 2"):
        assert shown in content
    assert list(response.context["cl"].result_list) == [need.incident_type]


def test_service_types_filter_by_portal_and_required_skill(staff_client: Client) -> None:
    need = factories.IncidentTypeSkillFactory()
    factories.IncidentTypeSkillFactory(incident_type__portal_enabled=False, skill=need.skill)
    factories.IncidentTypeFactory()

    response = staff_client.get(
        SERVICE_TYPES, {"portal_enabled__exact": "1", "required_skills__id__exact": need.skill.pk}
    )

    assert list(response.context["cl"].result_list) == [need.incident_type]


def test_service_types_are_found_by_either_name(staff_client: Client) -> None:
    boiler = factories.IncidentTypeFactory(name="BLR", display_name="Boiler service")
    factories.IncidentTypeFactory(name="AC", display_name="Air conditioning")

    by_display = staff_client.get(SERVICE_TYPES, {"q": "boiler"})
    by_internal = staff_client.get(SERVICE_TYPES, {"q": "blr"})

    assert list(by_display.context["cl"].result_list) == [boiler]
    assert list(by_internal.context["cl"].result_list) == [boiler]


def test_list_page_queries_do_not_grow_with_rows(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    def make_row() -> None:
        need = factories.IncidentTypeSkillFactory()
        factories.IncidentTypeSkillFactory(incident_type=need.incident_type)

    assert_list_queries_do_not_grow(
        staff_client, SERVICE_TYPES, make_row, django_assert_max_num_queries
    )
