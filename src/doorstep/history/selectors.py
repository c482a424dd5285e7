"""What the service history reads: one stored file and who may have it, a visit's photos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from doorstep.customers.models import Asset, FunctionalLocation
from doorstep.history.models import Document, Photo, ServiceReport, Visibility, VisitRecord
from doorstep.scheduling.models import Booking, BookingStatus

FILE_KINDS = ("photo", "thumbnail", "signature", "document", "report")


@dataclass(frozen=True)
class StoredFile:
    """A private file and what decides who may read it."""

    name: str  # in the private storage
    content_type: str
    download_name: str
    account_id: int
    booking_id: int | None  # None: a document of a site or a piece of equipment
    asset_id: int | None
    technician_id: int | None
    # A document the office keeps to itself; everything else of a visit is the customer's.
    internal: bool = False


@dataclass(frozen=True)
class Reader:
    """Who asks: a contact of an account, the holder of one visit's link, a technician, staff."""

    account_id: int | None = None
    booking_id: int | None = None
    booking_asset_id: int | None = None
    technician_id: int | None = None
    staff: bool = False


def may_read(stored: StoredFile, reader: Reader) -> bool:
    if reader.staff:
        return True
    if reader.technician_id is not None:
        return stored.booking_id is not None and stored.technician_id == reader.technician_id
    if reader.account_id is not None:
        return not stored.internal and stored.account_id == reader.account_id
    if reader.booking_id is None or stored.internal:
        return False
    if stored.booking_id is not None:
        return stored.booking_id == reader.booking_id
    # A visit's link also shows the documents of the equipment the visit was for.
    return stored.asset_id is not None and stored.asset_id == reader.booking_asset_id


_VISIT = (
    "booking_id",
    "booking__work_order__account_id",
    "booking__work_order__asset_id",
    "booking__resource_id",
)


def stored_file(kind: str, pk: int) -> StoredFile | None:
    """The file of that kind and id with its owners (one query), or None."""
    finder = {
        "photo": _photo,
        "thumbnail": _thumbnail,
        "signature": _signature,
        "report": _report,
        "document": _document,
    }.get(kind)
    return finder(pk) if finder is not None else None


def _photo(pk: int) -> StoredFile | None:
    row = Photo.objects.filter(pk=pk).values("file", *_VISIT).first()
    return _of_visit(row, "file", "image/jpeg", f"photo-{pk}.jpg")


def _thumbnail(pk: int) -> StoredFile | None:
    row = Photo.objects.filter(pk=pk).values("thumbnail", *_VISIT).first()
    return _of_visit(row, "thumbnail", "image/jpeg", f"photo-{pk}-small.jpg")


def _signature(pk: int) -> StoredFile | None:
    rows = VisitRecord.objects.filter(pk=pk).exclude(signature="")
    return _of_visit(
        rows.values("signature", *_VISIT).first(), "signature", "image/png", f"signature-{pk}.png"
    )


def _report(pk: int) -> StoredFile | None:
    row = ServiceReport.objects.filter(pk=pk).values("file", "version", *_VISIT).first()
    version = row["version"] if row else 0
    return _of_visit(row, "file", "application/pdf", f"service-report-{pk}-v{version}.pdf")


def _of_visit(
    row: dict[str, Any] | None, column: str, content_type: str, download: str
) -> StoredFile | None:
    if row is None:
        return None
    return StoredFile(
        name=str(row[column]),
        content_type=content_type,
        download_name=download,
        account_id=int(str(row["booking__work_order__account_id"])),
        booking_id=int(str(row["booking_id"])),
        asset_id=_int_or_none(row["booking__work_order__asset_id"]),
        technician_id=_int_or_none(row["booking__resource_id"]),
    )


def _document(pk: int) -> StoredFile | None:
    row = (
        Document.objects.filter(pk=pk)
        .values(
            "file",
            "content_type",
            "file_name",
            "account_id",
            "booking_id",
            "asset_id",
            "visibility",
            "booking__resource_id",
        )
        .first()
    )
    if row is None:
        return None
    return StoredFile(
        name=str(row["file"]),
        content_type=str(row["content_type"]),
        download_name=str(row["file_name"]),
        account_id=int(row["account_id"]),
        booking_id=_int_or_none(row["booking_id"]),
        asset_id=_int_or_none(row["asset_id"]),
        technician_id=_int_or_none(row["booking__resource_id"]),
        internal=row["visibility"] != Visibility.CUSTOMER,
    )


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(str(value))


def visit_photos(booking_id: int) -> QuerySet[Photo]:
    return Photo.objects.filter(booking_id=booking_id).order_by("created_at", "pk")


def visit_record(booking_id: int) -> VisitRecord | None:
    return VisitRecord.objects.filter(booking_id=booking_id).first()


# --- The customer's service history ---------------------------------------------------------


@dataclass(frozen=True)
class HistoryFilter:
    """Which of the account's past visits to show: all, one site's, or one equipment's."""

    site: FunctionalLocation | None = None
    asset: Asset | None = None


def past_visits(*, account_id: int, only: HistoryFilter | None = None) -> QuerySet[Booking]:
    """The account's completed visits, newest first, each with its record, photos, the
    documents the customer may see and its reports: a fixed number of queries however many."""
    visits = Booking.objects.filter(
        work_order__account_id=account_id, status=BookingStatus.COMPLETED
    )
    if only is not None and only.asset is not None:
        visits = visits.filter(work_order__asset=only.asset)
    if only is not None and only.site is not None:
        site = only.site
        # A work order copies its address (decision 0003): a visit was at the site when its
        # equipment is installed there, or when it went to the site's address.
        visits = visits.filter(
            Q(work_order__asset__functional_location=site)
            | Q(
                work_order__address_line1=site.address_line1,
                work_order__postal_code=site.postal_code,
            )
        )
    return (
        visits.select_related(
            "work_order__incident_type",
            "work_order__asset",
            "work_order__account",
            "resource",
            "feedback",
            "record",
        )
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.order_by("created_at", "pk")),
            Prefetch(
                "documents",
                queryset=Document.objects.filter(visibility=Visibility.CUSTOMER).order_by(
                    "-published_at", "-pk"
                ),
                to_attr="customer_documents",
            ),
            Prefetch(
                "reports",
                queryset=ServiceReport.objects.filter(superseded_by__isnull=True),
                to_attr="current_reports",
            ),
        )
        .order_by("-completed_at", "-start", "-pk")
    )


def equipment_documents(*, asset: Asset) -> QuerySet[Document]:
    """Published documents of a piece of equipment itself (manuals, certificates)."""
    return Document.objects.filter(asset=asset, visibility=Visibility.CUSTOMER).order_by(
        "-published_at", "-pk"
    )


def site_documents(*, site: FunctionalLocation) -> QuerySet[Document]:
    """Published documents of a site itself (inspection reports, certificates, plans)."""
    return Document.objects.filter(site=site, visibility=Visibility.CUSTOMER).order_by(
        "-published_at", "-pk"
    )


def load_history(booking: Booking) -> None:
    """Attach to one visit what past_visits() attaches to each (four queries)."""
    prefetch_related_objects(
        [booking],
        "record",
        Prefetch("photos", queryset=Photo.objects.order_by("created_at", "pk")),
        Prefetch(
            "documents",
            queryset=Document.objects.filter(visibility=Visibility.CUSTOMER).order_by(
                "-published_at", "-pk"
            ),
            to_attr="customer_documents",
        ),
        Prefetch(
            "reports",
            queryset=ServiceReport.objects.filter(superseded_by__isnull=True),
            to_attr="current_reports",
        ),
    )
