"""The sign-in page's words and choices."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_speaks_in_sentence_case_and_offers_the_invitation(
    client: Client,
) -> None:
    page = client.get(reverse("account_login")).content.decode()

    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Sign in Sign in with your email address and password." in words
    for title_case in ("Sign In", "Remember Me", "Email:", "Password:"):
        assert title_case not in words
    invite = reverse("portal:invite")
    assert re.search(rf'<a class="button" href="{invite}">\s*Redeem invitation', page)
    assert "Forgot your password?" in words
