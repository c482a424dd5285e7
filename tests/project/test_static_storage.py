"""Static files' addresses are worked out once, until the files are collected again."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from doorstep.project.static_storage import StaticStorage


def _storage(tmp_path: Path) -> StaticStorage:
    storage = StaticStorage(location=tmp_path, base_url="/static/")
    storage.hashed_files = {"portal/portal.css": "portal/portal.0123456789ab.css"}
    return storage


def test_an_address_is_kept_until_the_files_are_collected_again(tmp_path: Path) -> None:
    storage = _storage(tmp_path)
    assert storage.url("portal/portal.css") == "/static/portal/portal.0123456789ab.css"
    storage.hashed_files = {"portal/portal.css": "portal/portal.ba9876543210.css"}
    assert storage.url("portal/portal.css") == "/static/portal/portal.0123456789ab.css"
    assert list(storage.post_process({}, dry_run=True)) == []  # the manifest is made anew
    storage.hashed_files = {"portal/portal.css": "portal/portal.ba9876543210.css"}
    assert storage.url("portal/portal.css") == "/static/portal/portal.ba9876543210.css"


def test_a_name_missing_from_the_manifest_fails_each_time(tmp_path: Path) -> None:
    storage = _storage(tmp_path)
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("portal/missing.css")


def test_with_debug_on_nothing_is_kept(tmp_path: Path) -> None:
    storage = _storage(tmp_path)
    with override_settings(DEBUG=True):  # Django then names the files as they are
        assert storage.url("portal/portal.css") == "/static/portal/portal.css"
    assert storage.url("portal/portal.css") == "/static/portal/portal.0123456789ab.css"
    assert storage.url("portal/portal.css", force=True).endswith("portal.0123456789ab.css")
