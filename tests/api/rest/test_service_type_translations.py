"""A service type's name and description in each language, written and read through the API."""

from __future__ import annotations

from typing import Any

import pytest

from doorstep.catalog.models import IncidentType
from tests.api.rest.conftest import ApiClient
from tests.factories import IncidentTypeFactory

pytestmark = pytest.mark.django_db

SPANISH = {"display_name": "Revisión de la caldera", "description": "Una revisión al año."}
ARABIC = {"display_name": "صيانة المرجل"}


def a_service_type(**fields: Any) -> dict[str, Any]:
    return {
        "name": "HVAC – boiler",
        "display_name": "Boiler service",
        "description": "A yearly check.",
        "estimated_duration_minutes": 60,
        **fields,
    }


def test_translations_are_written_and_read_back_as_sent(api: ApiClient) -> None:
    created = api.call(
        "POST", "/api/v1/service-types", a_service_type(translations={"es": SPANISH, "ar": ARABIC})
    )
    assert created.status_code == 201, created.content
    assert created.json()["translations"] == {"es": SPANISH, "ar": ARABIC}

    read = api.call("GET", f"/api/v1/service-types/{created.json()['id']}")
    assert read.json()["translations"] == {"es": SPANISH, "ar": ARABIC}
    assert IncidentType.objects.get().word("display_name", "ar", company_language="en") == (
        "صيانة المرجل"
    )


def test_translations_sent_replace_the_ones_kept(api: ApiClient) -> None:
    service = IncidentTypeFactory(translations={"es": SPANISH, "ar": ARABIC})

    changed = api.call(
        "PATCH",
        f"/api/v1/service-types/{service.pk}",
        {"translations": {"fr": {"display_name": "Entretien de la chaudière"}}},
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["translations"] == {"fr": {"display_name": "Entretien de la chaudière"}}
    service.refresh_from_db()
    assert service.translations == {"fr": {"display_name": "Entretien de la chaudière"}}


def test_a_change_without_translations_keeps_them(api: ApiClient) -> None:
    service = IncidentTypeFactory(translations={"es": SPANISH})

    changed = api.call("PATCH", f"/api/v1/service-types/{service.pk}", {"description": "New."})

    assert changed.status_code == 200, changed.content
    assert changed.json()["translations"] == {"es": SPANISH}


@pytest.mark.parametrize(
    ("translations", "named"),
    [
        ({"nl": {"display_name": "Ketelonderhoud"}}, "nl"),
        ({"es": {"display_name": "x" * 101}}, "display_name"),
        ({"es": "Revisión"}, "es"),
        ({"es": {"name": "Caldera"}}, "name"),
        ("Revisión", "translations"),
    ],
)
def test_translations_that_cannot_be_used_are_a_400_naming_them(
    api: ApiClient, translations: object, named: str
) -> None:
    refused = api.call("POST", "/api/v1/service-types", a_service_type(translations=translations))

    assert refused.status_code == 400
    assert named in refused.content.decode()
    assert not IncidentType.objects.exists()
