from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from doorstep.project.env import data_dir, env_bool, env_int, env_list, secret_key


def test_booleans_accept_the_usual_words(monkeypatch: pytest.MonkeyPatch) -> None:
    for word, expected in [("yes", True), ("ON", True), ("1", True), ("off", False), ("", False)]:
        monkeypatch.setenv("FLAG", word)
        assert env_bool("FLAG") is expected
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True


def test_a_mistyped_boolean_says_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "ture")

    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG")


def test_numbers_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_PORT", "x25")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("ALLOWED_HOSTS", " portal.example.com, ,www.example.com ")
    assert env_list("ALLOWED_HOSTS", []) == ["portal.example.com", "www.example.com"]


def test_secret_key_is_generated_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)

    first = secret_key(tmp_path)
    second = secret_key(tmp_path)

    assert first == second
    assert len(first) >= 50
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other_install = tmp_path / "other"
    other_install.mkdir()
    assert secret_key(other_install) != first


def test_secret_key_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")

    assert secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_data_dir_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOORSTEP_DATA_DIR", str(tmp_path / "new" / "data"))

    assert data_dir() == tmp_path / "new" / "data"
    assert data_dir().is_dir()
