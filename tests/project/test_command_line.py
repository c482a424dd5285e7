"""The `doorstep` command as an installer runs it, in a separate process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

DOORSTEP = str(Path(sys.executable).with_name("doorstep"))


def run_doorstep(
    *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DOORSTEP, *args, *(["--verbosity", "0"] if args[0] == "shell" else [])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def clean_env(data_dir: Path, **values: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DOORSTEP_", "DATABASE_", "REDIS_", "SECRET_"))
    }
    env.update({"DOORSTEP_DATA_DIR": str(data_dir), **values})
    return env


PRODUCTION = {
    "SECRET_KEY": "x7!vQ2#pL9@kM4$wN8%rT1^yB6&cZ3*hJ5(dF0)gS2_eU4+iO7=aP9",
    "ALLOWED_HOSTS": "portal.example.com",
    "DEBUG": "false",
    "DOORSTEP_BASE_URL": "https://portal.example.com",
    "EMAIL_BACKEND": "smtp",
    "EMAIL_HOST": "smtp.example.com",
    "EMAIL_USE_TLS": "true",
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-auth-token",
    "SMS_FROM_NUMBER": "+13035550100",
    "SECURE_HSTS_PRELOAD": "true",
}


def check_deploy(tmp_path: Path, **values: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(tmp_path, **{**PRODUCTION, **values})
    return run_doorstep("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)


def test_check_deploy_is_clean_with_production_values(tmp_path: Path) -> None:
    result = check_deploy(tmp_path)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_messages_printed_to_the_server_log(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, EMAIL_BACKEND="console", SMS_BACKEND="console")

    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "doorstep.notifications.W001" in output
    assert "EMAIL_BACKEND prints every email to the server log" in output
    assert "doorstep.notifications.W002" in output
    assert "SMS_BACKEND prints every text to the server log" in output


def test_check_deploy_warns_about_an_email_provider_without_its_webhook_secret(
    tmp_path: Path,
) -> None:
    provider = {
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "postmark-server-token",
    }

    without = check_deploy(tmp_path, **provider)
    with_secret = check_deploy(tmp_path, **provider, ANYMAIL_WEBHOOK_SECRET="hook:s3cret")

    assert without.returncode != 0
    output = without.stderr + without.stdout
    assert "doorstep.notifications.W003" in output
    assert "Postmark delivery reports are off until ANYMAIL_WEBHOOK_SECRET is set" in output
    assert with_secret.returncode == 0, with_secret.stderr + with_secret.stdout


def test_check_deploy_accepts_sms_switched_off(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, SMS_BACKEND="off")

    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_flags_an_install_without_https(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path,
        SECRET_KEY="x7!vQ2#pL9@kM4$wN8%rT1^yB6&cZ3*hJ5(dF0)gS2_eU4+iO7=aP9",
        DOORSTEP_HTTPS="false",
    )

    result = run_doorstep("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout


def test_default_database_is_an_sqlite_file_in_wal_mode(tmp_path: Path) -> None:
    env = clean_env(tmp_path)

    result = run_doorstep(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        env=env,
    )

    assert result.stdout.strip() == "wal"
    assert (tmp_path / "doorstep.sqlite3").exists()
    assert (tmp_path / "secret_key").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local test server)
        return response.status, response.read()


def test_serve_runs_the_web_server_the_worker_and_the_scheduler(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DOORSTEP_HTTPS="false")
    run_doorstep("migrate", "--noinput", env=env)
    port = free_port()
    server = subprocess.Popen(
        [DOORSTEP, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert get(f"{base}/healthz") == (200, b"ok")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("doorstep serve did not start")
                time.sleep(0.2)

        status, body = get(f"{base}/admin/login/")
        assert status == 200
        assert b"Doorstep back office" in body
        status, css = get(f"{base}/static/admin/css/base.css")
        assert status == 200
        assert b"body" in css

        # A task enqueued by another process is run by the worker inside `serve`.
        run_doorstep(
            "shell",
            "-c",
            "from doorstep.project.tasks import purge_expired_sessions as t; t.enqueue()",
            env=env,
        )
        # The scheduler may enqueue its own tasks meanwhile (a catch-up every ten minutes):
        # this one is looked for by name.
        check_done = (
            "from django_tasks_db.models import DBTaskResult; "
            "print(DBTaskResult.objects.get("
            "task_path='doorstep.project.tasks.purge_expired_sessions').status)"
        )
        deadline = time.monotonic() + 30
        while run_doorstep("shell", "-c", check_done, env=env).stdout.strip() != "SUCCESSFUL":
            if time.monotonic() > deadline:
                pytest.fail("the worker inside doorstep serve did not run the task")
            time.sleep(0.5)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0, output
    assert re.search(r"Scheduler started with [1-9]\d* periodic tasks", output), output


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    result = run_doorstep("serve", "--port", str(free_port()), env=clean_env(tmp_path), check=False)

    assert result.returncode != 0
    assert "run `doorstep migrate`" in result.stderr
