"""What a visit leaves behind: the technician's record, photos, documents, service reports.

Every file lives in the "private" storage (file_settings.py) under a random name and is
served only by the download views, after they check who asks (decision 0019).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from doorstep.core.models import ExternalId
from doorstep.customers.models import Account, Asset, FunctionalLocation
from doorstep.scheduling.models import Booking


def private_storage() -> Storage:
    """The storage nothing serves (a callable, so settings and tests can swap it)."""
    return storages["private"]


def random_name(folder: str, extension: str) -> str:
    """A name nobody can guess: 128 random bits, in a folder per kind of file."""
    return f"history/{folder}/{secrets.token_hex(16)}.{extension}"


class VisitRecord(models.Model):
    """The technician's account of one visit: what was done, for whom, signed by whom."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="record")
    work_done = models.TextField(
        "work done", blank=True, help_text="What was done, in words the customer reads."
    )
    internal_note = models.TextField(
        "note for the office", blank=True, help_text="Only the office reads it."
    )
    signature = models.FileField(storage=private_storage, max_length=200, blank=True)
    signer_name = models.CharField("signed by", max_length=200, blank=True)
    signed_at = models.DateTimeField("signed", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        verbose_name = "visit record"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signature="") | models.Q(signed_at__isnull=False),
                name="visit_record_signature_has_a_time",
                violation_error_message="A signature needs the time it was given.",
            )
        ]

    def __str__(self) -> str:
        return f"Record of visit {self.booking_id}"


class PhotoTag(models.TextChoices):
    BEFORE = "before", gettext_lazy("Before")
    AFTER = "after", gettext_lazy("After")
    OTHER = "other", gettext_lazy("Other")


class Photo(models.Model):
    """A photo taken at a visit, cleaned of its metadata and brought down to a sensible size."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=private_storage, max_length=200)
    thumbnail = models.FileField(storage=private_storage, max_length=200)
    # As the phone sent it, only when DOORSTEP_PHOTO_KEEP_ORIGINAL is on.
    original = models.FileField(storage=private_storage, max_length=200, blank=True)
    tag = models.CharField(max_length=10, choices=PhotoTag.choices, default=PhotoTag.OTHER)
    caption = models.CharField(max_length=300, blank=True)
    # The phone's own id for the upload: a photo sent again after a dropped connection is
    # recognised and not stored twice.
    client_upload_id = models.CharField("upload ID", max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("uploaded", default=timezone.now, editable=False)

    class Meta:
        ordering = ["booking", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "booking",
                "client_upload_id",
                name="photo_upload_id_unique_per_visit",
                violation_error_message="This photo was already uploaded for this visit.",
            )
        ]

    def __str__(self) -> str:
        return self.caption or f"Photo {self.pk} of visit {self.booking_id}"


class DocumentType(models.TextChoices):
    INVOICE = "invoice", gettext_lazy("Invoice")
    QUOTE = "quote", gettext_lazy("Quote")
    CERTIFICATE = "certificate", gettext_lazy("Certificate")
    MANUAL = "manual", gettext_lazy("Manual")
    INSPECTION_REPORT = "inspection_report", gettext_lazy("Inspection report")
    OTHER = "other", gettext_lazy("Other document")


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Office only"
    CUSTOMER = "customer", "Customer"


class Document(ExternalId, models.Model):
    """A file the office attaches to a visit, a site or a piece of equipment.

    The account is copied from what it is attached to, so that who may read it is one
    comparison; a document is the customer's to see only once it is published.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="documents")
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    site = models.ForeignKey(
        FunctionalLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    asset = models.ForeignKey(
        Asset,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="equipment",
    )
    file = models.FileField(storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField("size in bytes")
    file_name = models.CharField(max_length=150, help_text="The name it downloads under.")
    type = models.CharField(max_length=20, choices=DocumentType.choices)
    title = models.CharField(max_length=200)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    published_at = models.DateTimeField("published", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("uploaded", default=timezone.now, editable=False)
    # For the API's ETags and `updated_since`: a sync sees a changed title or file.
    updated_at = models.DateTimeField("changed", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                # Exactly one of the three.
                condition=(
                    models.Q(booking__isnull=False, site__isnull=True, asset__isnull=True)
                    | models.Q(booking__isnull=True, site__isnull=False, asset__isnull=True)
                    | models.Q(booking__isnull=True, site__isnull=True, asset__isnull=False)
                ),
                name="document_attached_to_one_thing",
                violation_error_message="Attach a document to a visit, a site or equipment.",
            ),
            models.CheckConstraint(
                condition=models.Q(visibility="internal") | models.Q(published_at__isnull=False),
                name="document_for_the_customer_is_published",
                violation_error_message="A document the customer sees has a publishing time.",
            ),
            *ExternalId.external_id_constraints("document"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def for_the_customer(self) -> bool:
        return self.visibility == Visibility.CUSTOMER


class ServiceReport(models.Model):
    """The PDF made when a visit is completed: stored once and never changed.

    A correction is a new version that names the one it replaces.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reports")
    version = models.PositiveIntegerField(default=1)
    file = models.FileField(storage=private_storage, max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    # SET_NULL, not PROTECT: a visit (or account) deleted takes all its versions with it;
    # the versions themselves are never deleted one by one (retention takes a visit's all).
    supersedes = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="superseded_by"
    )
    created_at = models.DateTimeField("made", default=timezone.now, editable=False)

    class Meta:
        ordering = ["booking", "-version"]
        constraints = [
            models.UniqueConstraint(
                "booking",
                "version",
                name="service_report_version_unique_per_visit",
                violation_error_message="This visit already has a report with this version.",
            )
        ]

    def __str__(self) -> str:
        return f"Service report {self.version} of visit {self.booking_id}"
