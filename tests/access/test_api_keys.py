from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from doorstep.access.api_keys import authenticate_keys, hash_key, issue_api_key
from doorstep.access.models import ApiKey, Scope

pytestmark = pytest.mark.django_db


def test_issued_key_is_stored_only_as_its_hash() -> None:
    api_key, plain = issue_api_key(name="Dispatch")
    assert plain.startswith("ds_")
    assert api_key.key_hash == hash_key(plain)
    assert plain not in {api_key.key_hash, api_key.prefix}
    assert plain.startswith(api_key.prefix)


def test_key_authenticates_until_revoked() -> None:
    api_key, plain = issue_api_key(name="Dispatch")
    assert authenticate_keys(keys={plain}).get(plain) == api_key
    api_key.active = False
    api_key.save()
    assert authenticate_keys(keys={plain}).get(plain) is None
    assert authenticate_keys(keys={"ds_unknown"}).get("ds_unknown") is None


def test_staff_create_a_key_and_see_it_once(staff_client) -> None:  # type: ignore[no-untyped-def]
    response = staff_client.post(
        "/admin/access/apikey/add/",
        {"name": "Dispatch system", "scopes": ["read", "dispatch"]},
        follow=True,
    )
    assert response.status_code == 200
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    found = re.search(r"is (ds_\S+) — copy it now", shown)
    assert found, shown
    api_key = ApiKey.objects.get()
    assert api_key.name == "Dispatch system"
    assert api_key.scopes == ["read", "dispatch"]
    key = found.group(1)
    assert authenticate_keys(keys={key}).get(key) == api_key
    change_page = staff_client.get(f"/admin/access/apikey/{api_key.pk}/change/")
    assert found.group(1).encode() not in change_page.content
    assert api_key.prefix.encode() in change_page.content


def test_a_key_needs_at_least_one_scope(staff_client) -> None:  # type: ignore[no-untyped-def]
    response = staff_client.post("/admin/access/apikey/add/", {"name": "Dispatch system"})
    assert response.status_code == 200
    assert b"Choose at least one thing this key may do." in response.content
    assert b"Dispatch system" in response.content  # what was typed is kept
    assert not ApiKey.objects.exists()


def test_an_expired_key_is_refused() -> None:
    now = timezone.now()
    api_key, plain = issue_api_key(
        name="Season contractor", scopes={Scope.READ}, expires_at=now + timedelta(days=1)
    )
    assert authenticate_keys(keys={plain}, now=now).get(plain) == api_key
    assert authenticate_keys(keys={plain}, now=now + timedelta(days=2)).get(plain) is None


def test_keys_made_before_scopes_send_positions_only() -> None:
    api_key, _ = issue_api_key(name="Phones")
    assert api_key.scopes == ["tracking"]
    assert api_key.allows(Scope.TRACKING)
    assert not api_key.allows(Scope.READ)
