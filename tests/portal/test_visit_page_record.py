"""A completed visit's own page in the portal shows what it left behind: photos, the
documents published to the customer and the service report, each to download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.history.models import ServiceReport, VisitRecord
from doorstep.scheduling.models import BookingStatus
from tests.factories import BookingFactory, ContactFactory, UserFactory, WorkOrderFactory
from tests.history.test_history_page import with_photo

pytestmark = pytest.mark.django_db


def test_a_completed_visit_shows_its_photos_and_report(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    contact = ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())
    booking = BookingFactory(
        work_order=WorkOrderFactory(account=contact.account),
        status=BookingStatus.COMPLETED,
        completed_at=timezone.now(),
    )
    photo = with_photo(booking, django_capture_on_commit_callbacks)
    VisitRecord.objects.update_or_create(
        booking=booking, defaults={"work_done": "Cleaned the burner.", "signer_name": "Pat Lee"}
    )
    report = ServiceReport.objects.create(booking=booking, sha256="0" * 64, file="r.pdf")
    client.force_login(contact.user)

    page = client.get(reverse("portal:confirmation", args=[booking.pk])).content.decode()

    assert "Visit record" in page
    assert reverse("portal:file", args=["photo", photo.pk]) in page
    assert reverse("portal:file", args=["report", report.pk]) in page
    assert "Signed by Pat Lee" in page


def test_an_upcoming_visit_has_no_record_yet(client: Client) -> None:
    contact = ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())
    booking = BookingFactory(work_order=WorkOrderFactory(account=contact.account))
    client.force_login(contact.user)

    page = client.get(reverse("portal:confirmation", args=[booking.pk])).content.decode()

    assert "Visit record" not in page
