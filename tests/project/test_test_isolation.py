"""What one test does to the process does not reach the next one."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation


@pytest.mark.django_db
def test_a_page_read_in_arabic(client: Client) -> None:
    client.cookies["doorstep_language"] = "ar"
    assert client.get(reverse("account_login")).status_code == 200
    assert translation.get_language() == "ar"


def test_the_next_test_starts_in_the_default_language() -> None:
    # Runs after the test above (pytest keeps a file's order).
    assert translation.get_language() == settings.LANGUAGE_CODE
