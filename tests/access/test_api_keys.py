from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from doorstep.access.api_keys import authenticate_keys, hash_key, issue_api_key
from doorstep.access.models import ApiKey

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
        "/admin/access/apikey/add/", {"name": "Dispatch system"}, follow=True
    )
    assert response.status_code == 200
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    found = re.search(r"is (ds_\S+) — copy it now", shown)
    assert found, shown
    api_key = ApiKey.objects.get()
    assert api_key.name == "Dispatch system"
    key = found.group(1)
    assert authenticate_keys(keys={key}).get(key) == api_key
    change_page = staff_client.get(f"/admin/access/apikey/{api_key.pk}/change/")
    assert found.group(1).encode() not in change_page.content
    assert api_key.prefix.encode() in change_page.content
