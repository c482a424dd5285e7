"""`Idempotency-Key`: a request sent again gets the first answer, and nothing is done twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from crontask import scheduler
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.utils import timezone

from doorstep.api.models import IdempotencyKey, IdempotencyKeyState
from doorstep.api.tasks import purge_idempotency_keys
from doorstep.customers import services
from doorstep.customers.models import Account
from doorstep.project import background
from doorstep.scheduling.models import Booking
from tests.api.rest.conftest import ApiClient, bookable_world
from tests.api.rest.test_customers import an_account
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ACCOUNT = an_account()


def test_the_same_request_again_gets_the_first_answer(api: ApiClient) -> None:
    first = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    again = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
    assert again["Idempotent-Replayed"] == "true"
    assert Account.objects.count() == 1
    other = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-2"})
    assert other.status_code == 201
    assert Account.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(api: ApiClient) -> None:
    api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    changed = {**ACCOUNT, "name": "Another bakery"}
    response = api.call("POST", "/api/v1/accounts", changed, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 409
    assert "use a new key" in response.json()["detail"]
    assert list(Account.objects.values_list("name", flat=True)) == ["Bluebird Bakery"]


def test_a_change_and_a_refusal_are_kept_too(api: ApiClient) -> None:
    account = AccountFactory(name="Old")
    path = f"/api/v1/accounts/{account.pk}"
    first = api.call("PATCH", path, {"name": "New"}, **{"Idempotency-Key": "p-1"})
    api.call("PATCH", path, {"name": "Newer"})
    again = api.call("PATCH", path, {"name": "New"}, **{"Idempotency-Key": "p-1"})
    assert again.json() == first.json()
    account.refresh_from_db()
    assert account.name == "Newer"  # the retry did not undo the later change

    bad = api.call("POST", "/api/v1/accounts", {"name": ""}, **{"Idempotency-Key": "b-1"})
    bad_again = api.call("POST", "/api/v1/accounts", {"name": ""}, **{"Idempotency-Key": "b-1"})
    assert (bad.status_code, bad_again.status_code) == (400, 400)
    assert bad_again["Content-Type"] == "application/problem+json"


def test_keys_of_two_integrations_do_not_meet(api_for: Callable[..., ApiClient]) -> None:
    for api in (api_for(), api_for()):
        response = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "same"})
        assert response.status_code == 201
        assert not response.has_header("Idempotent-Replayed")
    assert Account.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_key_of_the_wrong_shape_is_refused(api: ApiClient, key: str) -> None:
    response = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Account.objects.exists()


def test_every_post_and_patch_says_it_takes_a_key() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    changes = [
        operation
        for operations in spec["paths"].values()
        for method, operation in operations.items()
        if method in {"post", "patch"}
    ]
    assert len(changes) > 10
    for operation in changes:
        names = [parameter["name"] for parameter in operation.get("parameters", [])]
        assert "Idempotency-Key" in names, operation["operationId"]


RACERS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_retries_book_once(api_for: Callable[..., ApiClient]) -> None:
    # Twenty technicians free at the time: without the key, each retry would book one.
    world = bookable_world(technicians=RACERS)
    api = api_for()
    day = (timezone.now() + timedelta(days=2)).date().isoformat()
    query = f"service_type={world['service'].pk}&account={world['contact'].account.pk}"
    start = api.call("GET", f"/api/v1/slots?{query}&from={day}").json()[0]["start"]
    body = {"service_type": world["service"].pk, "contact": world["contact"].pk, "start": start}
    barrier = threading.Barrier(RACERS)
    answers: list[Any] = [None] * RACERS

    def post(index: int) -> None:
        try:
            client = ApiClient(api.key)
            barrier.wait()
            answers[index] = client.call(
                "POST", "/api/v1/bookings", body, **{"Idempotency-Key": "book-once"}
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Booking.objects.count() == 1
    codes = sorted(answer.status_code for answer in answers)
    assert set(codes) <= {201, 409}, codes
    booked = [answer.json()["id"] for answer in answers if answer.status_code == 201]
    assert booked
    assert set(booked) == {Booking.objects.get().pk}
    retry = api.call("POST", "/api/v1/bookings", body, **{"Idempotency-Key": "book-once"})
    assert (retry.status_code, retry.json()["id"]) == (201, booked[0])


def test_a_failure_of_ours_is_not_kept_so_the_retry_runs(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    save = services.save_account

    def fail_once(**kwargs: Any) -> Account:
        monkeypatch.setattr(services, "save_account", save)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "save_account", fail_once)
    failed = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "f-1"})
    retried = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "f-1"})
    assert (failed.status_code, retried.status_code) == (500, 201)
    assert Account.objects.count() == 1


# --- Kept in the database ---------------------------------------------------------------------


def test_a_retry_reaching_another_process_gets_the_first_answer(api: ApiClient) -> None:
    first = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    cache.clear()  # another process: its own local cache, nothing in it
    again = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Account.objects.count() == 1


def test_a_key_is_forgotten_after_a_day(api: ApiClient) -> None:
    api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert Account.objects.count() == 2
    assert IdempotencyKey.objects.get().expires_at > timezone.now() + timedelta(hours=23)


def test_a_request_still_being_answered_is_not_run_twice(api: ApiClient) -> None:
    api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    IdempotencyKey.objects.update(state=IdempotencyKeyState.PENDING, status_code=None)
    again = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 409
    assert "still being answered" in again.json()["detail"]
    assert Account.objects.count() == 1


def test_the_claim_of_a_request_that_died_lapses_and_the_retry_runs(api: ApiClient) -> None:
    api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    IdempotencyKey.objects.update(
        state=IdempotencyKeyState.PENDING, expires_at=timezone.now() - timedelta(seconds=1)
    )
    again = api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert IdempotencyKey.objects.get().state == IdempotencyKeyState.DONE


def test_keys_past_their_day_are_purged_daily(api: ApiClient) -> None:
    for key in ("old", "new"):
        api.call("POST", "/api/v1/accounts", ACCOUNT, **{"Idempotency-Key": key})
    old = IdempotencyKey.objects.order_by("pk").first()
    assert old is not None
    IdempotencyKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    assert purge_idempotency_keys.call() == 1

    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) != [old.pk]
    assert IdempotencyKey.objects.count() == 1
    background.load_periodic_tasks()
    jobs = {job.name: job for job in scheduler.get_jobs()}
    fields = {field.name: str(field) for field in jobs["purge_idempotency_keys"].trigger.fields}
    assert (fields["day"], fields["hour"]) == ("*", "3")
