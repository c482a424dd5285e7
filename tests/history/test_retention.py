"""No file outlives its row, and DOORSTEP_HISTORY_RETENTION_DAYS deletes old visits' files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from doorstep.history import tasks
from doorstep.history.models import Document, Photo, ServiceReport, VisitRecord
from doorstep.scheduling.models import Booking
from tests.history import images
from tests.history.test_documents import attach
from tests.history.test_reports import completed_visit, make

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def files_of(booking: Booking) -> list[str]:
    names: list[str] = []
    for photo in Photo.objects.filter(booking=booking):
        names += [photo.file.name, photo.thumbnail.name]
    names += [d.file.name for d in Document.objects.filter(booking=booking)]
    names += [r.file.name for r in ServiceReport.objects.filter(booking=booking)]
    names += [r.signature.name for r in VisitRecord.objects.filter(booking=booking) if r.signature]
    return names


def stored(names: list[str]) -> list[bool]:
    return [storages["private"].exists(name) for name in names]


def full_visit(capture: Capture, *, corrected: bool = True) -> Booking:
    """A completed visit with photos, a signature, a document and a report (corrected)."""
    booking = completed_visit(capture, photos=2)
    make(capture, booking)
    if corrected:
        make(capture, booking, correction="Serial number was wrong")
    with capture(execute=True):
        attach(booking, images.PDF)
    return booking


def test_a_deleted_visit_takes_its_files_with_it(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    # A corrected report protects the one it corrects: such a visit cannot be deleted
    # whole yet (the retention run deletes its reports newest first).
    booking = full_visit(django_capture_on_commit_callbacks, corrected=False)
    names = files_of(booking)
    assert len(names) == 7
    assert all(stored(names))

    with django_capture_on_commit_callbacks(execute=True):
        booking.delete()

    assert not any(stored(names))


def test_a_deletion_rolled_back_keeps_the_files(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = full_visit(django_capture_on_commit_callbacks, corrected=False)
    names = files_of(booking)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                booking.delete()
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass

    assert callbacks == []
    assert all(stored(names))


def test_a_deleted_document_takes_its_file_with_it(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)
    with django_capture_on_commit_callbacks(execute=True):
        document = attach(booking, images.PDF)
    assert stored([document.file.name]) == [True]

    with django_capture_on_commit_callbacks(execute=True):
        document.delete()

    assert stored([document.file.name]) == [False]


def test_retention_deletes_the_files_of_visits_completed_longer_ago(
    django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.DOORSTEP_HISTORY_RETENTION_DAYS = 30
    old = full_visit(django_capture_on_commit_callbacks)
    Booking.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(days=31))
    recent = full_visit(django_capture_on_commit_callbacks)
    old_files, recent_files = files_of(old), files_of(recent)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = tasks.delete_expired_history.call()

    # Two photos, a document, two reports and a signature.
    assert deleted == 6
    assert not any(stored(old_files))
    assert all(stored(recent_files))
    record = VisitRecord.objects.get(booking=old)
    # What was done, and who signed, stays in words.
    assert record.work_done.startswith("Replaced the condensate pump")
    assert record.signer_name == "Jordan Alvarez"
    assert not record.signature


def test_without_a_retention_setting_everything_is_kept(
    django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.DOORSTEP_HISTORY_RETENTION_DAYS = None
    old = full_visit(django_capture_on_commit_callbacks)
    Booking.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(days=3650))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delete_expired_history.call() == 0

    assert all(stored(files_of(old)))
