"""Who may call the API, what each key may do, and how often."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from doorstep.access.api_keys import issue_api_key
from doorstep.access.models import ApiKey, Scope
from doorstep.api.rest import keys
from doorstep.customers.models import Account
from tests.api.rest.conftest import ApiClient
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

# Records a company pushes in (create, replace, change, delete, PUT by external ID).
SYNCED = [
    "accounts",
    "contacts",
    "sites",
    "assets",
    "service-types",
    "technicians",
    "service-plans",
]
# Records Doorstep makes, read (visits change through their own actions).
MADE_HERE = [
    "work-orders",
    "bookings",
    "visit-links",
    "notifications",
    "feedback",
    "service-plan-change-requests",
]
# The service history: documents pushed in and published, photos and reports (test_history.py).
HISTORY = ["documents", "photos", "service-reports"]
RESOURCES = SYNCED + MADE_HERE + HISTORY
# The integration's own settings, under the webhooks scope (tests/api/rest/test_webhooks.py).
WEBHOOKS = ["webhook-endpoints", "webhook-deliveries"]


def rest_routes() -> list[str]:
    """Every list route of the REST API, read from the URL configuration."""
    api = next(
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and pattern.namespace == "api"
    )
    return sorted(
        str(pattern.pattern).removeprefix("^").removesuffix("$")
        for pattern in api.url_patterns
        if isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list")
    )


def test_every_resource_is_routed() -> None:
    assert rest_routes() == sorted(RESOURCES + WEBHOOKS)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize(
    "header",
    [None, "Bearer ds_not-a-key", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "Token ds_x"],
)
def test_without_a_valid_key_every_route_answers_401_with_how_to(
    resource: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = Client().get(f"/api/v1/{resource}", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "key" in response.json()["detail"]


def test_a_signed_in_browser_session_does_not_open_the_api(staff_client: Client) -> None:
    assert staff_client.get("/api/v1/accounts").status_code == 401


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_key_without_the_read_scope_may_not_read(
    api_for: Callable[..., ApiClient], resource: str
) -> None:
    api = api_for(scopes={Scope.TRACKING})
    response = api.call("GET", f"/api/v1/{resource}")
    assert response.status_code == 403
    assert "“read” scope" in response.json()["detail"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_read_only_key_may_not_change_anything(
    api_for: Callable[..., ApiClient], method: str
) -> None:
    account = AccountFactory()
    api = api_for(scopes={Scope.READ})
    path = "/api/v1/accounts" if method == "POST" else f"/api/v1/accounts/{account.pk}"
    response = api.call(method, path, {"name": "Changed"})
    assert response.status_code == 403
    assert "“write” scope" in response.json()["detail"]
    assert Account.objects.get().name == account.name


def test_revoked_and_expired_keys_are_refused(api_for: Callable[..., ApiClient]) -> None:
    api = api_for()
    ApiKey.objects.update(active=False)
    assert api.call("GET", "/api/v1/accounts").status_code == 401
    _, key = issue_api_key(
        name="Old", scopes={Scope.READ}, expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert ApiClient(key).call("GET", "/api/v1/accounts").status_code == 401


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_unknown_id_answers_404(api: ApiClient, resource: str) -> None:
    for path in (f"/api/v1/{resource}/999999", f"/api/v1/{resource}/abc"):
        response = api.call("GET", path)
        assert response.status_code == 404, path


@override_settings(
    REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api-key": "3/min"}}
)
def test_a_key_over_its_rate_is_told_when_to_come_back(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()  # counters of earlier tests' keys (ids are reused after a rollback)
    monkeypatch.setattr(keys.time, "time", lambda: 1_800_000_030.0)  # mid-window
    answers = [api.call("GET", "/api/v1/accounts") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[0]["RateLimit-Policy"] == "3;w=60"
    assert "remaining=2" in answers[0]["RateLimit"]
    assert answers[3]["Retry-After"] == "30"
    assert "too many requests" in answers[3].json()["detail"]
