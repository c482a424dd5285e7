"""The back office is entered through the one sign-in: password, second factor, attempt limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from doorstep.users.models import User
from tests.factories import StaffUserFactory, UserFactory

PASSWORD = "correct horse battery staple"  # UserFactory's
ADMIN = "/admin/"
SIGN_IN = reverse("account_login")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_attempts_counted() -> Iterator[None]:
    # The attempt limits count in the cache, which outlives a test: start from none, and
    # leave none behind for the tests that run next.
    cache.clear()
    yield
    cache.clear()


def totp_code(user: User) -> str:
    """The code the office worker's authenticator app shows right now."""
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(totp.instance.data["secret"], counter))


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def back_office_sign_in(client: Client) -> str:
    """Where opening the back office sends someone who is not signed in."""
    response = client.get(client.get(ADMIN)["Location"])
    assert response.status_code == 302
    return str(response["Location"])


def test_the_admin_login_page_sends_people_to_the_portal_sign_in_keeping_where_they_went(
    client: Client,
) -> None:
    response = client.get("/admin/scheduling/booking/?status=scheduled")
    assert response.status_code == 302

    response = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == (
        f"{SIGN_IN}?next=%2Fadmin%2Fscheduling%2Fbooking%2F%3Fstatus%3Dscheduled"
    )


def test_a_password_posted_to_the_admin_login_page_is_never_checked(client: Client) -> None:
    StaffUserFactory(email="office@example.test")

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "office@example.test", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert not signed_in(client)


def test_a_staff_user_with_an_authenticator_needs_the_code_as_well_as_the_password(
    client: Client,
) -> None:
    office = StaffUserFactory(email="office@example.test")

    response = client.post(
        back_office_sign_in(client), {"login": "office@example.test", "password": PASSWORD}
    )

    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert not signed_in(client)
    assert client.get(ADMIN).status_code == 302  # the password alone opens nothing

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert not signed_in(client)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(office)})

    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_wrong_passwords_for_the_back_office_hit_the_same_limit_as_everywhere(
    client: Client,
) -> None:
    StaffUserFactory(email="office@example.test")
    sign_in = back_office_sign_in(client)
    for _ in range(5):
        client.post(sign_in, {"login": "office@example.test", "password": "x"})

    response = client.post(sign_in, {"login": "office@example.test", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed" in response.content.decode()
    assert not signed_in(client)


def test_guessing_across_many_addresses_from_one_network_address_is_limited(
    client: Client,
) -> None:
    StaffUserFactory(email="office@example.test")
    for n in range(20):
        client.post(SIGN_IN, {"login": f"guess{n}@example.test", "password": "x"})

    response = client.post(SIGN_IN, {"login": "office@example.test", "password": PASSWORD})

    assert "Too many failed" in response.content.decode()
    assert not signed_in(client)


def test_a_sign_in_that_is_not_staff_is_refused_clearly_and_not_sent_round_in_circles(
    client: Client,
) -> None:
    client.force_login(UserFactory(email="customer@example.test"))

    response = client.get(ADMIN, follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert "cannot open the back office" in response.content.decode()
    assert "customer@example.test" in response.content.decode()


def test_a_superuser_without_a_second_factor_is_sent_to_set_one_up(client: Client) -> None:
    client.force_login(StaffUserFactory(second_factor=False))

    response = client.get("/admin/customers/account/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "set up an authenticator app or a security key" in response.content.decode()
    assert client.get(reverse("admin:customers_account_changelist")).status_code == 302


@pytest.mark.parametrize(
    ("requirement", "superuser_opens", "staff_opens"),
    [("superusers", False, True), ("staff", False, False), ("off", True, True)],
)
def test_the_setting_chooses_who_must_have_a_second_factor(
    settings: Any, requirement: str, superuser_opens: bool, staff_opens: bool
) -> None:
    settings.DOORSTEP_STAFF_REQUIRE_MFA = requirement
    superuser = Client()
    superuser.force_login(StaffUserFactory(second_factor=False))
    staff = Client()
    staff.force_login(StaffUserFactory(is_superuser=False, second_factor=False))

    assert (superuser.get(ADMIN).status_code == 200) is superuser_opens
    assert (staff.get(ADMIN).status_code == 200) is staff_opens


def test_a_requirement_nobody_can_read_stops_the_checks(settings: Any) -> None:
    settings.DOORSTEP_STAFF_REQUIRE_MFA = "sometimes"

    with pytest.raises(SystemCheckError, match="DOORSTEP_STAFF_REQUIRE_MFA"):
        call_command("check")
