"""Upgrading: addresses that were proved already keep signing in; claims are dropped."""

from __future__ import annotations

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.utils import timezone

from doorstep.access.models import Invitation
from doorstep.users.models import User
from tests.factories import ContactFactory, UserFactory, invite

migration = importlib.import_module("doorstep.users.migrations.0002_proved_addresses")

pytestmark = pytest.mark.django_db


def legacy_user(email: str) -> User:
    """A sign-in as it was before addresses had to be proved: no address rows."""
    user: User = UserFactory(email=email)
    EmailAddress.objects.filter(user=user).delete()
    return user


def addresses_of(user: User) -> list[tuple[str, bool, bool]]:
    return list(
        EmailAddress.objects.filter(user=user)
        .order_by("email")
        .values_list("email", "verified", "primary")
    )


def test_upgrading_proves_untouched_and_invited_addresses_and_drops_claims() -> None:
    untouched = legacy_user("untouched@example.test")
    invited = legacy_user("invited@example.test")
    contact = ContactFactory(email="invited@example.test", user=invited)
    sent = invite(contact=contact)
    Invitation.objects.filter(pk=sent.invitation.pk).update(used_at=timezone.now())
    EmailAddress.objects.create(user=invited, email="invited@example.test", primary=True)
    claimer = legacy_user("claimer@example.test")
    User.objects.filter(pk=claimer.pk).update(email="victim@example.test")
    EmailAddress.objects.create(user=claimer, email="claimer@example.test")
    EmailAddress.objects.create(user=claimer, email="victim@example.test", primary=True)
    adder = legacy_user("adder@example.test")
    EmailAddress.objects.create(user=adder, email="adder@example.test", primary=True, verified=True)
    EmailAddress.objects.create(user=adder, email="someone-else@example.test")

    migration.mark_proved_addresses(apps, None)

    assert addresses_of(untouched) == [("untouched@example.test", True, True)]
    assert addresses_of(invited) == [("invited@example.test", True, True)]
    # Nothing says the claimed address is the claimer's: they prove it at their next
    # sign-in, and their old, unproved one is gone.
    assert addresses_of(claimer) == [("victim@example.test", False, True)]
    assert addresses_of(adder) == [("adder@example.test", True, True)]
