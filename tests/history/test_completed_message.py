"""The completed message leads its reader, signed in or not, to the visit's page, where
the service report shows once the worker has made it (decision 0019)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from doorstep.history import reports
from doorstep.notifications import sending
from tests.history.test_reports import completed_visit

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]
VISIT_PAGE = re.compile(r"https?://\S+?(/t/[\w-]+/)")


def test_the_completed_email_leads_a_signed_out_reader_to_the_report(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=1)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.make_report(booking.pk)
    mail.outbox.clear()

    sending.send_due(worker="tests")

    [email] = [m for m in mail.outbox if booking.reference in m.subject]
    assert "What was done, the photos and the service report:" in email.body
    page_path = VISIT_PAGE.search(email.body)
    assert page_path is not None
    reader = Client()  # the message's holder, not signed in
    page = reader.get(page_path.group(1))
    assert page.status_code == 200
    report_path = f"{page_path.group(1)}files/report/{report.pk}/"
    assert report_path in page.content.decode()
    download = reader.get(report_path)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
