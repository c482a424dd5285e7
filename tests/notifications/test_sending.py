"""The worker side of the outbox: claim, send, retry, fail, and never twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from doorstep.access import invitations
from doorstep.notifications import sending
from doorstep.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationState,
)
from doorstep.notifications.sms import LocmemBackend
from tests.factories import ContactFactory
from tests.notifications.conftest import book


@pytest.fixture(autouse=True)
def empty_sms_outbox() -> None:
    LocmemBackend.outbox.clear()


@pytest.mark.django_db
def test_due_messages_are_sent_with_a_working_visit_link(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    result = sending.send_due(worker="test")

    assert (result.claimed, result.sent) == (2, 2)
    [email] = mail.outbox
    assert email.to == ["pat@example.test"]
    assert booking.reference in email.subject
    assert "/t/" in email.body
    assert "[visit link]" not in email.body
    html = email.alternatives[0].content
    assert "/t/" in html
    [attachment] = [a for a in email.attachments if a.filename.endswith(".ics")]
    assert "METHOD:REQUEST" in attachment.content
    [sms] = LocmemBackend.outbox
    assert sms.to == "+13035550101"
    assert "/t/" in sms.body
    rows = Notification.objects.filter(booking=booking)
    assert {row.state for row in rows} == {NotificationState.SENT}
    assert all(row.provider_message_id for row in rows)
    assert DeliveryAttempt.objects.filter(succeeded=True).count() == 2
    # The stored message keeps the placeholder: the link's code exists only as a hash.
    assert all("[visit link]" in row.body for row in rows)


@pytest.mark.django_db
def test_a_provider_error_is_retried_later_then_failed(contact, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    book(contact)

    def refuse(self, message):  # type: ignore[no-untyped-def]
        raise ConnectionError("provider down")

    monkeypatch.setattr(LocmemBackend, "send", refuse)
    sending.send_due(worker="test")
    sms = Notification.objects.get(channel="sms")
    assert sms.state == NotificationState.PENDING
    assert sms.attempts == 1
    assert timedelta(seconds=40) < sms.next_attempt_at - timezone.now() < timedelta(seconds=80)
    assert "provider down" in sms.delivery_attempts.get().error
    assert sending.send_due(worker="test").claimed == 0  # not due yet

    for _ in range(sending.MAX_ATTEMPTS - 1):
        Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
        sending.send_due(worker="test")

    sms.refresh_from_db()
    assert sms.state == NotificationState.FAILED
    assert sms.attempts == sending.MAX_ATTEMPTS
    assert sms.delivery_attempts.count() == sending.MAX_ATTEMPTS


def test_retry_delays_grow_and_spread() -> None:
    import random

    rng = random.Random(1)
    delays = [sending.retry_delay(n, rng=rng) for n in range(1, 6)]

    assert all(later > earlier for earlier, later in pairwise(delays))
    assert timedelta(seconds=48) <= delays[0] <= timedelta(seconds=72)


@pytest.mark.django_db
def test_a_row_claimed_by_a_dead_worker_is_claimed_again_after_the_timeout(contact) -> None:  # type: ignore[no-untyped-def]
    book(contact)
    claimed = sending.claim(worker="died")
    assert len(claimed) == 2
    assert sending.claim(worker="other") == []

    later = timezone.now() + sending.CLAIM_TIMEOUT + timedelta(seconds=1)
    again = sending.claim(worker="other", now=later)

    assert {row.pk for row in again} == {row.pk for row in claimed}


@pytest.mark.django_db
def test_the_log_and_the_failed_count_in_the_back_office(contact, staff_client) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    Notification.objects.filter(booking=booking, channel="sms").update(
        state=NotificationState.FAILED
    )

    index = staff_client.get("/admin/").content.decode()
    assert "1 message could not be sent" in index
    log = staff_client.get(
        "/admin/notifications/notification/?state__exact=failed"
    ).content.decode()
    assert "+13035550101" in log
    row = Notification.objects.get(booking=booking, channel="email")
    detail = staff_client.get(
        f"/admin/notifications/notification/{row.pk}/change/"
    ).content.decode()
    assert booking.reference in detail
    assert (
        staff_client.post(f"/admin/notifications/notification/{row.pk}/delete/").status_code == 403
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_never_send_the_same_row_twice(contact) -> None:  # type: ignore[no-untyped-def]
    from doorstep.configuration.models import PortalSettings

    settings = PortalSettings.load()
    settings.communication_type = "email"
    settings.save()
    for day in range(1, 31):
        start = (timezone.now() + timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        book(contact, start=start)
    assert Notification.objects.filter(state=NotificationState.PENDING).count() == 30

    def work(name: str) -> None:
        try:
            while sending.send_due(worker=name, limit=3).claimed:
                pass
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert len(mail.outbox) == 30
    assert len({message.subject for message in mail.outbox}) == 30
    assert Notification.objects.filter(state=NotificationState.SENT).count() == 30
    assert DeliveryAttempt.objects.count() == 30


@pytest.mark.django_db
def test_a_failed_send_leaves_no_valid_link_behind(contact, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from doorstep.access.models.visit_links import VisitLink

    book(contact)

    def refuse(self, message):  # type: ignore[no-untyped-def]
        raise ConnectionError("provider down")

    monkeypatch.setattr(LocmemBackend, "send", refuse)
    sending.send_due(worker="test")

    links = VisitLink.objects.all()
    assert links.count() == 2  # one for the email (sent), one for the text (failed)
    valid = [
        link for link in links if link.valid_until is None or link.valid_until > timezone.now()
    ]
    assert len(valid) == 1


@pytest.mark.django_db
def test_texts_reach_the_file_backend_with_their_content(contact, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "doorstep.notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    booking = book(contact)

    sending.send_due(worker="test")

    [written] = list(tmp_path.iterdir())
    text = written.read_text()
    assert "To: +13035550101" in text
    assert booking.reference in text
    assert "/t/" in text


@pytest.mark.django_db
def test_the_invitation_emails_button_opens_the_invitation_link() -> None:
    invitations.invite_contact(contact=ContactFactory(email="robin@example.test"))

    sending.send_due(worker="test")

    [email] = mail.outbox
    [link] = [word for word in email.body.split() if "/invite/" in word]
    [(html, _)] = email.alternatives
    assert f'<a dir="ltr" href="{link}"' in html
    assert 'href="<a' not in html


# --- Turns: a worker asked to stop stops between two messages -----------------------------


def book_days(contact, days: int) -> None:  # type: ignore[no-untyped-def]
    for day in range(1, days + 1):
        start = (timezone.now() + timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        book(contact, start=start)


@pytest.mark.django_db
def test_a_turn_that_is_over_sends_one_message_and_hands_the_rest_back(contact) -> None:  # type: ignore[no-untyped-def]
    book_days(contact, 3)  # an email and a text each

    ended = sending.send_due(worker="stopping", stop_at=time.monotonic())

    assert (ended.claimed, ended.sent, ended.released) == (6, 1, 5)
    waiting = Notification.objects.filter(state=NotificationState.PENDING)
    assert waiting.count() == 5
    assert set(waiting.values_list("claimed_by", flat=True)) == {""}
    # Another worker takes them at once, not after the claim timeout.
    assert sending.send_due(worker="other").sent == 5


@pytest.mark.django_db
def test_the_sending_task_hands_what_is_left_to_a_new_run(contact, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    from doorstep.notifications.tasks import send_notifications

    book_days(contact, 2)
    monkeypatch.setattr(sending, "SENDING_TURN", timedelta(0))

    sent = send_notifications.call()

    assert sent == 1
    assert Notification.objects.filter(state=NotificationState.PENDING).count() == 3
    [queued] = DBTaskResult.objects.ready()
    assert queued.task_path.endswith("send_notifications")
