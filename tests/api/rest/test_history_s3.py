"""A document's file through the API with an S3 store: a redirect to an address signed
for it, as the portal's downloads do (against moto's S3 server)."""

from __future__ import annotations

import pytest

from tests.api.rest.conftest import ApiClient
from tests.history.test_s3 import Capture, an_invoice, fetch, s3, s3_server

pytestmark = pytest.mark.django_db

__all__ = ["s3", "s3_server"]  # the fixtures, shared with the portal's S3 tests


def test_the_api_sends_a_document_from_the_bucket_by_a_signed_address(
    s3: str, api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    document = an_invoice(django_capture_on_commit_callbacks)

    answer = api.call("GET", f"/api/v1/documents/{document.pk}/file")

    assert answer.status_code == 302
    assert answer["Location"].startswith(s3)
    status, content, headers = fetch(answer["Location"])
    assert status == 200
    assert content.startswith(b"%PDF-")
    assert headers["content-type"] == "application/pdf"
    assert "Invoice 1042.pdf" in headers["content-disposition"]
