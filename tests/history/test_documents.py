"""Documents are checked by their content, cleanly named, and never half saved."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import storages
from django.db import transaction
from django.test import override_settings

from doorstep.history import services
from doorstep.history.documents import DocumentRefused
from doorstep.history.models import Document, DocumentType, Visibility
from doorstep.scheduling.models import Booking
from tests.factories import AssetFactory, BookingFactory
from tests.history import images

pytestmark = pytest.mark.django_db


def stored(name: str) -> bool:
    return bool(name) and storages["private"].exists(name)


def attach(booking: Booking, content: bytes, name: str = "invoice.pdf", **options: Any) -> Document:
    return services.add_document(
        upload=io.BytesIO(content),
        size=len(content),
        name=name,
        title=options.pop("title", "Invoice 1042"),
        document_type=options.pop("document_type", DocumentType.INVOICE),
        booking=booking,
        **options,
    )


def test_a_pdf_is_stored_when_its_row_commits(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    booking = BookingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        document = attach(booking, images.PDF, visibility=Visibility.CUSTOMER)

    assert document.content_type == "application/pdf"
    assert document.account_id == booking.work_order.account_id
    assert document.published_at is not None
    assert document.file.name.startswith("history/documents/")
    assert "invoice" not in document.file.name  # the stored name tells nothing
    with storages["private"].open(document.file.name) as handle:
        assert handle.read() == images.PDF


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (images.SVG, "drawing.svg"),
        (images.SVG, "invoice.pdf"),
        (images.HTML, "invoice.html"),
        (images.HTML, "invoice.pdf"),
        (b"#!/bin/sh\nrm -rf /\n", "run.pdf"),
        (b"PK\x03\x04" + b"\x00" * 30, "report.docx"),
        (images.webp(), "photo.png"),
    ],
    ids=["svg", "svg-named-pdf", "html", "html-named-pdf", "script", "zip", "webp"],
)
def test_what_is_not_pdf_jpeg_or_png_is_refused_by_its_content(content: bytes, name: str) -> None:
    with pytest.raises(DocumentRefused, match="Only PDF, JPEG and PNG"):
        attach(BookingFactory(), content, name)
    assert not Document.objects.exists()


def test_a_damaged_image_is_refused() -> None:
    with pytest.raises(DocumentRefused, match="damaged"):
        attach(BookingFactory(), images.png()[:30], "scan.png")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(DocumentRefused, match="empty"):
        attach(BookingFactory(), b"", "invoice.pdf")


@override_settings(DOORSTEP_DOCUMENT_MAX_MB=1)
def test_a_file_over_the_size_limit_is_refused() -> None:
    content = images.PDF + b"0" * (1024 * 1024)
    with pytest.raises(DocumentRefused, match="larger than 1 MB"):
        attach(BookingFactory(), content)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("../../etc/passwd.pdf", images.PDF, "passwd.pdf"),
        ("C:\\Users\\office\\Invoice 1042.pdf", images.PDF, "Invoice 1042.pdf"),
        ("scan.png.html", images.png(), "scan.png.png"),
        ('quote"; filename=evil.exe', images.PDF, "quote filenameevil.pdf"),
        ("Facture été.pdf", images.PDF, "Facture été.pdf"),
        ("", images.PDF, "document.pdf"),
        ("x" * 300 + ".pdf", images.PDF, "x" * 100 + ".pdf"),
    ],
)
def test_names_are_cleaned_and_take_the_extension_of_the_content(
    name: str, content: bytes, expected: str
) -> None:
    assert attach(BookingFactory(), content, name).file_name == expected


def test_a_document_goes_on_exactly_one_thing() -> None:
    booking = BookingFactory()
    with pytest.raises(DocumentRefused, match="one visit, one site or one piece"):
        attach(booking, images.PDF, asset=AssetFactory(account=booking.work_order.account))


def test_a_document_of_equipment_belongs_to_the_equipment_account() -> None:
    asset = AssetFactory()
    document = services.add_document(
        upload=io.BytesIO(images.PDF),
        size=len(images.PDF),
        name="manual.pdf",
        title="Manual",
        document_type=DocumentType.MANUAL,
        asset=asset,
    )
    assert document.account_id == asset.account_id


def test_a_rolled_back_save_leaves_no_file(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    booking = BookingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                document = attach(booking, images.PDF)
                raise RuntimeError("something after it failed")
        except RuntimeError:
            pass

    assert not Document.objects.exists()
    assert not stored(document.file.name)


def test_a_file_that_cannot_be_written_leaves_no_row(
    django_capture_on_commit_callbacks: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(storages["private"], "save", full_disk)
    with (
        pytest.raises(OSError, match="No space"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        attach(BookingFactory(), images.PDF)

    assert not Document.objects.exists()
