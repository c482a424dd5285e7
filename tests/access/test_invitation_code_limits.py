"""Invitation codes can be tried only so often, per network address and per code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from doorstep.customers.models import Contact
from tests.factories import ContactFactory, invite

PASSWORD = "a long enough password 42"
TOO_MANY = "Too many invitation codes were tried from here"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_attempts_counted() -> Iterator[None]:
    # The attempt limits count in the cache, which outlives a test: start from none, and
    # leave none behind for the tests that run next.
    cache.clear()
    yield
    cache.clear()


def redeem(client: Client, code: str, address: str = "203.0.113.7") -> str:
    response = client.post(
        reverse("portal:invite"),
        {"code": code, "password1": PASSWORD, "password2": PASSWORD},
        REMOTE_ADDR=address,
    )
    return response.content.decode() if response.status_code == 200 else ""


def test_after_twenty_codes_from_one_address_even_the_right_one_waits(client: Client) -> None:
    contact = ContactFactory()
    sent = invite(contact=contact)
    for n in range(20):
        assert "not right" in redeem(client, f"AAAA-BBBB-CCCC-{n:04d}")

    page = redeem(client, sent.code)

    assert TOO_MANY in page
    contact.refresh_from_db()
    assert contact.user is None
    assert redeem(Client(), sent.code, address="198.51.100.9") == ""  # elsewhere it works
    assert Contact.objects.get(pk=contact.pk).user is not None


def test_one_code_tried_from_many_addresses_is_limited_too(client: Client) -> None:
    for n in range(10):
        assert "not right" in redeem(Client(), "AAAA-BBBB-CCCC-DDDD", address=f"192.0.2.{n}")

    assert TOO_MANY in redeem(client, "aaaa bbbb cccc dddd", address="192.0.2.200")


def test_opening_the_link_is_never_limited(client: Client) -> None:
    sent = invite(contact=ContactFactory())
    for _ in range(30):
        opened = client.get(reverse("portal:invite_code", args=[sent.code]), follow=True)
        assert opened.status_code == 200
