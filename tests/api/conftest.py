from __future__ import annotations

import pytest
from django.test import Client

from doorstep.api.services import issue_api_key


@pytest.fixture
def api_key(db: None) -> str:
    _, plain = issue_api_key(name="Dispatch system")
    return plain


@pytest.fixture
def strict_client() -> Client:
    """A client that is checked for CSRF like a real browser."""
    return Client(enforce_csrf_checks=True)
