"""The service history through the API: documents pushed in and published, a visit's
photos and service reports, and their files."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from doorstep.access.models import Scope
from doorstep.api.rest.scheduling import BookingSerializer, BookingViewSet
from doorstep.core.models import Deletion
from doorstep.history.models import Document, Photo, ServiceReport, Visibility, VisitRecord
from doorstep.scheduling.models import BookingStatus
from tests.api.rest.conftest import ApiClient
from tests.factories import AssetFactory, BookingFactory
from tests.history import images

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
BOUNDARY = "BoUnDaRy"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def upload(
    api: ApiClient, path: str, *, method: str = "post", content: bytes = images.PDF, **fields: Any
) -> Any:
    """Send a file and fields as a multipart form, as an integration uploads."""
    name = fields.pop("name", "Invoice 1042.pdf")
    body = {"file": SimpleUploadedFile(name, content), **fields}
    headers = {"Authorization": f"Bearer {api.key}"}
    if method == "put":  # the test client encodes only POST bodies as forms by itself
        return api.put(path, encode_multipart(BOUNDARY, body), MULTIPART, headers=headers)
    return api.post(path, body, headers=headers)


def invoice(api: ApiClient, capture: Capture, **fields: Any) -> Any:
    booking = fields.pop("booking", None) or BookingFactory()
    with capture(execute=True):
        return upload(api, "/api/v1/documents", booking=booking.pk, type="invoice",
                      title="Invoice 1042", **fields)  # fmt: skip


def test_an_invoice_is_uploaded_listed_and_downloaded(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = BookingFactory()
    response = invoice(
        api, django_capture_on_commit_callbacks, booking=booking, external_id="INV-1042"
    )

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["booking"] == booking.pk
    assert created["account"] == booking.work_order.account_id
    assert created["visibility"] == "internal"
    assert created["content_type"] == "application/pdf"
    assert response["Location"].endswith(f"/api/v1/documents/{created['id']}")

    listed = api.call("GET", f"/api/v1/documents?booking={booking.pk}&type=invoice").json()
    assert [d["external_id"] for d in listed["results"]] == ["INV-1042"]
    assert api.call("GET", "/api/v1/documents?type=quote").json()["results"] == []

    file = api.call("GET", created["file"].removeprefix("http://testserver"))
    assert file.status_code == 200
    assert file["Content-Type"] == "application/pdf"
    assert 'filename="Invoice 1042.pdf"' in file["Content-Disposition"]
    assert b"".join(file.streaming_content if file.streaming else [file.content]) == images.PDF


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (images.SVG, "invoice.pdf", "Only PDF, JPEG and PNG"),
        (b"", "empty.pdf", "empty"),
        (b"MZ\x90\x00 not a document", "invoice.exe", "Only PDF, JPEG and PNG"),
    ],
)
def test_a_refused_file_names_the_field_and_why_and_nothing_is_kept(
    api: ApiClient,
    django_capture_on_commit_callbacks: Capture,
    content: bytes,
    name: str,
    reason: str,
) -> None:
    response = invoice(api, django_capture_on_commit_callbacks, content=content, name=name)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert reason in error["message"]
    assert not Document.objects.exists()


def test_a_document_too_large_is_refused(
    api: ApiClient, django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.DOORSTEP_DOCUMENT_MAX_MB = 1
    big = images.PDF + b"0" * (1024 * 1024)
    response = invoice(api, django_capture_on_commit_callbacks, content=big)
    assert response.status_code == 400
    assert "larger than 1 MB" in response.json()["errors"][0]["message"]
    assert not Document.objects.exists()


def test_a_document_must_be_attached_to_one_thing(api: ApiClient) -> None:
    booking = BookingFactory()
    asset = AssetFactory(account=booking.work_order.account)
    for fields in ({}, {"booking": booking.pk, "asset": asset.pk}):
        response = upload(api, "/api/v1/documents", type="invoice", title="Invoice", **fields)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "booking"
    assert not Document.objects.exists()


def test_a_json_body_is_refused_with_a_reason(api: ApiClient) -> None:
    response = api.call("POST", "/api/v1/documents", {"title": "Invoice"})
    assert response.status_code in {400, 415}
    assert response["Content-Type"] == "application/problem+json"


def test_the_nightly_push_by_external_id_makes_one_document_and_replaces_its_file(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = BookingFactory()
    path = "/api/v1/documents/by-external-id/INV-77"
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(
            api, path, method="put", booking=booking.pk, type="invoice", title="Invoice 77"
        )
    assert first.status_code == 201, first.json()
    old_name = Document.objects.get().file.name

    png = images.png()
    with django_capture_on_commit_callbacks(execute=True):
        again = upload(api, path, method="put", content=png, name="scan.png",
                       booking=booking.pk, type="invoice", title="Invoice 77 (paid)")  # fmt: skip
    assert again.status_code == 200, again.json()
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["title"] == "Invoice 77 (paid)"
    assert again.json()["content_type"] == "image/png"
    document = Document.objects.get()
    assert document.external_id == "INV-77"
    with storages["private"].open(document.file.name) as handle:
        assert handle.read() == png
    assert not storages["private"].exists(old_name)


def test_a_change_of_title_honours_if_match(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    created = invoice(api, django_capture_on_commit_callbacks)
    path = f"/api/v1/documents/{created.json()['id']}"
    etag = api.call("GET", path)["ETag"]

    changed = api.call("PATCH", path, {"title": "Invoice 1042 (paid)"}, **{"If-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Invoice 1042 (paid)"
    stale = api.call("PATCH", path, {"title": "Older"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert api.call("PATCH", path, {"title": ""}).status_code == 400
    assert api.call("PATCH", path, {"type": "poem"}).status_code == 400
    assert Document.objects.get().title == "Invoice 1042 (paid)"


def test_publishing_shows_the_document_to_the_customer_once(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    created = invoice(api, django_capture_on_commit_callbacks).json()
    path = f"/api/v1/documents/{created['id']}/publish"

    published = api.call("POST", path, {})
    assert published.status_code == 200
    assert published.json()["visibility"] == "customer"
    assert published.json()["published_at"]
    again = api.call("POST", path, {})
    assert again.status_code == 409
    assert "already published" in again.json()["detail"]


def test_deleting_a_document_leaves_a_tombstone_and_removes_its_file(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    created = invoice(api, django_capture_on_commit_callbacks, external_id="INV-9").json()
    name = Document.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert api.call("DELETE", f"/api/v1/documents/{created['id']}").status_code == 204
    assert not Document.objects.exists()
    assert not storages["private"].exists(name)
    assert Deletion.objects.filter(external_id="INV-9").exists()
    assert api.call("GET", f"/api/v1/documents/{created['id']}/file").status_code == 404


def test_a_read_only_key_may_read_documents_but_not_upload_or_publish(
    api: ApiClient, api_for: Callable[..., ApiClient], django_capture_on_commit_callbacks: Capture
) -> None:
    created = invoice(api, django_capture_on_commit_callbacks).json()
    reader = api_for(scopes={Scope.READ})
    assert reader.call("GET", f"/api/v1/documents/{created['id']}/file").status_code == 200
    assert reader.call("POST", f"/api/v1/documents/{created['id']}/publish", {}).status_code == 403
    response = upload(reader, "/api/v1/documents", booking=BookingFactory().pk, type="invoice",
                      title="Invoice")  # fmt: skip
    assert response.status_code == 403
    assert Document.objects.count() == 1


def in_progress() -> Any:
    return BookingFactory(status=BookingStatus.IN_PROGRESS)


def test_a_photo_is_uploaded_once_for_its_upload_id_and_cleaned(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = in_progress()
    fields = {"booking": booking.pk, "tag": "after", "client_upload_id": "phone-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(
            api, "/api/v1/photos", content=images.camera_jpeg(), name="IMG.jpg", **fields
        )
    assert first.status_code == 201, first.json()
    again = upload(api, "/api/v1/photos", content=images.camera_jpeg(), name="IMG.jpg", **fields)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Photo.objects.count() == 1

    listed = api.call("GET", f"/api/v1/photos?booking={booking.pk}&tag=after").json()["results"]
    assert [p["id"] for p in listed] == [first.json()["id"]]
    photo = api.call("GET", f"/api/v1/photos/{first.json()['id']}/file")
    assert photo["Content-Type"] == "image/jpeg"
    assert b"PhoneMaker" not in photo.content  # the camera's metadata is gone
    thumbnail = api.call("GET", f"/api/v1/photos/{first.json()['id']}/thumbnail")
    assert thumbnail.status_code == 200


def test_a_photo_is_refused_outside_a_visit_in_progress_and_when_not_a_photo(
    api: ApiClient,
) -> None:
    done = BookingFactory(status=BookingStatus.SCHEDULED)
    late = upload(api, "/api/v1/photos", content=images.camera_jpeg(), booking=done.pk)
    assert late.status_code == 400
    assert late.json()["errors"][0]["field"] == "booking"
    bad = upload(api, "/api/v1/photos", content=images.SVG, name="x.jpg", booking=in_progress().pk)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "file"
    assert not Photo.objects.exists()


def test_service_reports_are_listed_with_their_version_and_checksum(api: ApiClient) -> None:
    booking = BookingFactory(status=BookingStatus.COMPLETED, completed_at=timezone.now())
    pdf = images.PDF
    report = ServiceReport(booking=booking, sha256=hashlib.sha256(pdf).hexdigest())
    report.file.name = storages["private"].save("history/reports/r.pdf", io.BytesIO(pdf))
    report.save()

    [listed] = api.call("GET", f"/api/v1/service-reports?booking={booking.pk}").json()["results"]
    assert listed["version"] == 1
    assert listed["supersedes"] is None
    file = api.call("GET", f"/api/v1/service-reports/{report.pk}/file")
    assert file["Content-Type"] == "application/pdf"
    assert hashlib.sha256(file.content).hexdigest() == listed["sha256"]


def test_a_document_uploaded_for_the_customer_is_published_at_once(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    response = invoice(api, django_capture_on_commit_callbacks, visibility="customer")
    assert response.json()["visibility"] == Visibility.CUSTOMER
    assert response.json()["published_at"]


def test_a_visit_shows_its_record_and_reads_as_the_generic_serializer(api: ApiClient) -> None:
    booking = BookingFactory(status=BookingStatus.COMPLETED, completed_at=timezone.now())
    VisitRecord.objects.create(booking=booking, work_done="Replaced the pump.",
                               internal_note="Dog bites", signer_name="Jordan Alvarez",
                               signed_at=timezone.now())  # fmt: skip
    plain = BookingFactory()

    visit = api.call("GET", f"/api/v1/bookings/{booking.pk}").json()
    assert visit["record"]["work_done"] == "Replaced the pump."
    assert visit["record"]["signed_by"] == "Jordan Alvarez"
    assert "Dog bites" not in str(visit)  # the office's note stays in the office
    assert api.call("GET", f"/api/v1/bookings/{plain.pk}").json()["record"] is None
    for row in BookingViewSet.queryset.filter(pk__in=[booking.pk, plain.pk]):
        serializer = BookingSerializer(context={})
        generic = serializers.ModelSerializer.to_representation(serializer, row)
        render = JSONRenderer().render
        assert render(serializer.to_representation(row)) == render(generic)


def test_a_push_over_a_changed_document_with_a_stale_etag_is_refused(
    api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = BookingFactory()
    path = "/api/v1/documents/by-external-id/INV-8"
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(api, path, method="put", booking=booking.pk, type="invoice", title="Old")
    stale = first["ETag"]
    api.call("PATCH", f"/api/v1/documents/{first.json()['id']}", {"title": "Changed"})

    refused = api.put(
        path,
        encode_multipart(
            BOUNDARY,
            {"file": SimpleUploadedFile("a.pdf", images.PDF), "type": "invoice", "title": "New"},
        ),
        MULTIPART,
        headers={"Authorization": f"Bearer {api.key}", "If-Match": stale},
    )
    assert refused.status_code == 412
    assert Document.objects.get().title == "Changed"
