"""The service history's files in an S3-compatible store, against a local S3 server (moto's).

Stored private; handed out, once the reader is checked, as a signed address that lasts a
minute and names the file's type and download name; never readable without a signature.
"""

from __future__ import annotations

import io
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.storage import storages
from django.test import Client, override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

from doorstep.history import services
from doorstep.history.models import Document, DocumentType, Visibility
from doorstep.project.csp import content_security_policy
from doorstep.project.file_settings import s3_origin, s3_storage
from tests.factories import BookingFactory, ContactFactory, UserFactory
from tests.history import images

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]
BUCKET = "doorstep-files"
KEYS = {"DOORSTEP_S3_ACCESS_KEY_ID": "testing", "DOORSTEP_S3_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3(s3_server: str) -> Iterator[str]:
    storage = s3_storage(
        {
            "DOORSTEP_S3_BUCKET": BUCKET,
            "DOORSTEP_S3_ENDPOINT_URL": s3_server,
            "DOORSTEP_S3_REGION": "us-east-1",
            **KEYS,
        }
    )
    assert storage is not None
    with override_settings(
        STORAGES={**_current_storages(), "private": storage}, DOORSTEP_DOWNLOAD_URL_SECONDS=60
    ):
        yield s3_server


def _current_storages() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.STORAGES)


def an_invoice(capture: Capture) -> Document:
    booking = BookingFactory()
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with capture(execute=True):
        return services.add_document(
            upload=io.BytesIO(data),
            size=len(data),
            name="Invoice 1042.pdf",
            title="Invoice 1042",
            document_type=DocumentType.INVOICE,
            booking=booking,
            visibility=Visibility.CUSTOMER,
        )


def signed_in_contact_of(document: Document) -> Client:
    user = UserFactory()
    ContactFactory(user=user, email=user.email, account_id=document.account_id)
    client = Client()
    client.force_login(user)
    return client


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the local server
            return answer.status, answer.read(), _lower(answer.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, error.read(), _lower(error.headers.items())


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def test_a_document_is_stored_in_the_bucket_and_readable_by_no_one_without_a_signature(
    s3: str, django_capture_on_commit_callbacks: Capture
) -> None:
    document = an_invoice(django_capture_on_commit_callbacks)

    key = f"private/{document.file.name}"
    assert storages["private"].exists(document.file.name)
    status, _, _ = fetch(f"{s3}/{BUCKET}/{key}")
    assert status == 403


def test_a_reader_is_sent_to_a_signed_address_that_lasts_a_minute(
    s3: str, django_capture_on_commit_callbacks: Capture
) -> None:
    document = an_invoice(django_capture_on_commit_callbacks)
    client = signed_in_contact_of(document)

    response = client.get(reverse("portal:file", args=["document", document.pk]))

    assert response.status_code == 302
    assert (
        response["Cache-Control"] == "no-store, private" or "no-store" in response["Cache-Control"]
    )
    assert response["Referrer-Policy"] == "no-referrer"
    location = response["Location"]
    assert location.startswith(f"{s3}/{BUCKET}/private/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    status, body, headers = fetch(location)
    assert status == 200
    assert body.startswith(b"%PDF-1.4")
    assert headers["content-type"] == "application/pdf"
    assert "Invoice 1042.pdf" in headers["content-disposition"]


def test_another_account_is_not_sent_anywhere(
    s3: str, django_capture_on_commit_callbacks: Capture
) -> None:
    document = an_invoice(django_capture_on_commit_callbacks)
    stranger = Client()
    stranger.force_login(ContactFactory(user=UserFactory()).user)

    response = stranger.get(reverse("portal:file", args=["document", document.pk]))

    assert response.status_code == 404
    assert "Location" not in response


def test_a_photo_from_the_technician_goes_to_the_bucket_cleaned(
    s3: str, django_capture_on_commit_callbacks: Capture
) -> None:
    from doorstep.scheduling.models import BookingStatus

    booking = BookingFactory(status=BookingStatus.IN_PROGRESS)
    data = images.camera_jpeg()
    with django_capture_on_commit_callbacks(execute=True):
        photo, _ = services.add_photo(
            booking=booking,
            upload=io.BytesIO(data),
            size=len(data),
            client_upload_id="phone-1",
            uploaded_by=None,
        )

    with storages["private"].open(photo.file.name) as stored:
        assert b"PhoneMaker" not in stored.read()


def test_the_store_is_configured_from_the_environment() -> None:
    assert s3_storage({}) is None
    storage = s3_storage(
        {"DOORSTEP_S3_BUCKET": "acme-files", "DOORSTEP_S3_REGION": "eu-west-1", **KEYS}
    )
    assert storage is not None
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "acme-files"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert "endpoint_url" not in options
    assert s3_origin(storage) == "https://*.amazonaws.com"
    minio = s3_storage(
        {"DOORSTEP_S3_BUCKET": "f", "DOORSTEP_S3_ENDPOINT_URL": "https://s3.acme.test:9000/"}
    )
    assert s3_origin(minio) == "https://s3.acme.test:9000"


def test_the_pages_may_show_photos_from_the_store() -> None:
    policy = content_security_policy(
        tile_url="https://tile.example/{z}/{x}/{y}.png",
        base_url="https://portal.example",
        files_origin="https://s3.acme.test:9000",
    )
    assert "https://s3.acme.test:9000" in policy["img-src"]
    assert "https://s3.acme.test:9000" not in policy["script-src"]
