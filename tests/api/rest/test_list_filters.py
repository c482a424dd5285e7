"""Every list filter of the API that takes a number refuses one the database cannot hold,
or below 1, with a reason: read from the OpenAPI document, so a new filter is covered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from doorstep.access.models import Scope
from tests.api.rest.conftest import ApiClient

pytestmark = pytest.mark.django_db


def integer_filters() -> list[tuple[str, str]]:
    document = Client().get("/api/v1/openapi.json").json()
    found = []
    for path, operations in document["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if (
                parameter["in"] == "query"
                and parameter["schema"].get("type") == "integer"
                and parameter["name"] != "page_size"
            ):
                found.append((path, parameter["name"]))
    return sorted(found)


def test_the_filters_are_found() -> None:
    found = integer_filters()
    assert ("/api/v1/service-plans", "account") in found
    assert ("/api/v1/documents", "asset") in found
    assert ("/api/v1/webhook-deliveries", "endpoint") in found


@pytest.mark.parametrize("value", ["99999999999999999999999", str(2**63), "0", "-3", "1.5"])
def test_a_number_out_of_range_is_refused_by_every_filter(
    api_for: Callable[..., ApiClient], value: str
) -> None:
    api = api_for(scopes=set(Scope))
    answers = {}
    for path, name in integer_filters():
        response = api.call("GET", f"{path}?{name}={value}")
        answers[f"{path}?{name}"] = (response.status_code, bool(response.json().get("errors")))
    assert answers == dict.fromkeys(answers, (400, True))


def test_the_largest_id_is_looked_for_and_not_found(api_for: Callable[..., ApiClient]) -> None:
    api = api_for(scopes=set(Scope))
    for path, name in integer_filters():
        response = api.call("GET", f"{path}?{name}={2**63 - 1}")
        # A list is empty; the slots, which need the record itself, say it does not exist.
        if response.status_code == 200:
            assert response.json()["results"] == [], (path, name)
        else:
            assert response.status_code == 400, (path, name, response.content)
            assert "does not exist" in str(response.json()["errors"]), (path, name)
