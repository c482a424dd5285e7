"""The OpenAPI document: valid, complete, served with its docs from this site, and true to
what the API answers (Schemathesis walks every operation)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core.wsgi import get_wsgi_application
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from doorstep.access.models import Scope
from tests.api.rest.conftest import ApiClient, a_visit_with_its_records
from tests.api.rest.test_keys import MADE_HERE, RESOURCES, SYNCED
from tests.factories import AssetFactory, ContactFactory, IncidentTypeFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def test_the_document_is_valid_openapi_3_1() -> None:
    spec = document()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    for resource in RESOURCES:
        assert f"/api/v1/{resource}" in spec["paths"]
    for resource in SYNCED:
        assert f"/api/v1/{resource}/by-external-id/{{external_id}}" in spec["paths"]
    for action in ("reschedule", "cancel", "status"):
        assert f"/api/v1/bookings/{{id}}/{action}" in spec["paths"]
    assert "/api/v1/slots" in spec["paths"]
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


COMMITTED = Path(__file__).parents[3] / "docs" / "openapi.json"
REGENERATE = (
    "DOORSTEP_DATA_DIR=/tmp/doorstep-schema .venv/bin/doorstep spectacular "
    "--format openapi-json --validate --fail-on-warn --file docs/openapi.json"
)


def test_the_committed_document_is_the_codes() -> None:
    """docs/openapi.json is what integrators read and diff between releases: it must say
    what the code answers."""
    committed = json.loads(COMMITTED.read_text())
    validate(committed)
    assert committed == document(), f"docs/openapi.json is out of date: run {REGENERATE}"


def test_the_docs_page_loads_everything_from_this_site() -> None:
    page = Client().get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html  # nothing inline
    assert "<style>" not in html
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert addresses
    for address in addresses:
        assert address.startswith("/"), address
        if address.startswith("/static/"):
            assert finders.find(address.removeprefix("/static/")), address
        else:
            assert Client().get(address.replace("&amp;", "&")).status_code == 200, address


@override_settings(
    REST_FRAMEWORK={
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api-key": "100000/min"},
    }
)
def test_no_operation_fails_or_answers_outside_its_schema(api_for: Any) -> None:
    api: ApiClient = api_for(scopes=set(Scope))
    contact = ContactFactory()
    AssetFactory(account=contact.account)
    IncidentTypeFactory()
    ResourceFactory()
    a_visit_with_its_records()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {api.key}"}
    operations = list(schema.get_all_operations())
    # + book, reschedule, cancel, status; extend, expire, block a visit link; slots; deletions;
    # webhook endpoints (six, and rotate-secret, replay, test) and deliveries (two, and replay);
    # documents (eight), photos (five) and service reports (three); a plan change request
    # marked handled
    assert len(operations) == 7 * len(SYNCED) + 2 * len(MADE_HERE) + 9 + 12 + 16 + 1
    for result in operations:
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        call()
