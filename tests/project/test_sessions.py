"""Sessions are read through the cache and kept in the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from doorstep.users.models import User
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Client:
    user = UserFactory()
    ContactFactory(account=AccountFactory(), user=user)
    browser = Client()
    browser.force_login(user)
    return browser


def test_sessions_are_read_through_the_cache() -> None:
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_a_session_outlives_the_cache(customer: Client) -> None:
    assert customer.get(reverse("portal:home")).status_code == 200
    cache.clear()  # a restart without Redis, or Redis emptied
    assert customer.get(reverse("portal:home")).status_code == 200
    assert Session.objects.count() == 1


def test_a_signed_out_session_is_refused_at_once_though_it_was_cached(customer: Client) -> None:
    cookie = customer.cookies[settings.SESSION_COOKIE_NAME].value
    assert customer.get(reverse("portal:home")).status_code == 200  # now in the cache too
    customer.post(reverse("account_logout"))

    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = cookie
    answer = stolen.get(reverse("portal:home"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=cookie).exists()


def test_a_blocked_person_is_signed_out_though_their_session_is_cached(customer: Client) -> None:
    assert customer.get(reverse("portal:home")).status_code == 200
    user = customer.session["_auth_user_id"]

    User.objects.filter(pk=user).update(is_active=False)  # no signal: the row alone decides
    answer = customer.get(reverse("portal:home"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_login"))
