from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import pytest
from django.test import Client

from doorstep.access.api_keys import issue_api_key
from doorstep.access.models import Scope


class ApiClient(Client):
    """A client that sends JSON and an API key, as an integration does."""

    def __init__(self, key: str | None, **options: Any) -> None:
        super().__init__(**options)
        self.key = key

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        if self.key is not None:
            headers.setdefault("Authorization", f"Bearer {self.key}")
        send = getattr(self, method.lower())
        if body is None:
            return send(path, headers=headers)
        return send(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def api_for(db: None) -> Callable[..., ApiClient]:
    def make(scopes: Collection[Scope] = (Scope.READ, Scope.WRITE)) -> ApiClient:
        _, key = issue_api_key(name="Dispatch system", scopes=scopes)
        return ApiClient(key)

    return make


@pytest.fixture
def api(api_for: Callable[..., ApiClient]) -> ApiClient:
    return api_for()
