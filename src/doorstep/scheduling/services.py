"""Everything that changes work orders and bookings. Each function is one transaction."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from doorstep.catalog.models import IncidentType
from doorstep.core import events
from doorstep.core.errors import DomainError
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.scheduling import locking, refusals
from doorstep.scheduling.models import (
    ALLOWED_STATUS_MOVES,
    Booking,
    BookingStatus,
    BookingStatusChange,
    TimelineNote,
    WorkOrder,
    WorkOrderSource,
)
from doorstep.users.models import User
from doorstep.workforce.models import Resource

# No 0/O, 1/I/L: a customer reads the reference out over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 7


class InvalidStatusMove(DomainError):
    pass


class BookingConflict(DomainError):
    pass


class InvalidBooking(DomainError):
    pass


def new_booking_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


@transaction.atomic
def create_work_order(
    *,
    account: Account,
    incident_type: IncidentType,
    reported_by: Contact | None = None,
    asset: Asset | None = None,
    site: FunctionalLocation | None = None,
    instructions: str = "",
    source: str = WorkOrderSource.BACK_OFFICE,
    external_id: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """Open a work order at the asset's location when it has one, else at `site` (one of
    the account's sites), else at the account's address."""
    if reported_by is not None and reported_by.account_id != account.pk:
        raise InvalidBooking(
            gettext("The person reporting the work must be a contact of the account.")
        )
    if asset is not None and asset.account_id != account.pk:
        raise InvalidBooking(gettext("The asset must belong to the account."))
    if external_id and WorkOrder.objects.filter(external_id=external_id).exists():
        raise InvalidBooking(gettext("Another work order already has this external ID."))
    if site is not None:
        if site.account_id != account.pk:
            raise InvalidBooking(gettext("The site must belong to the account."))
        if asset is not None and asset.functional_location_id not in (None, site.pk):
            raise InvalidBooking(gettext("The asset is at another of the account's sites."))
    if asset is not None and asset.functional_location is not None:
        site = asset.functional_location
    place: Account | FunctionalLocation = site or account
    work_order = WorkOrder.objects.create(
        account=account,
        incident_type=incident_type,
        reported_by=reported_by,
        asset=asset,
        site=site,
        instructions=instructions,
        source=source,
        external_id=external_id,
        address_line1=place.address_line1,
        address_line2=place.address_line2,
        city=place.city,
        postal_code=place.postal_code,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
    )
    # The number follows the row's id so it is unique and readable without a counter table.
    work_order.number = f"WO-{work_order.pk:06d}"
    if now is not None:
        work_order.created_at = work_order.updated_at = now  # entered after the fact
    WorkOrder.objects.filter(pk=work_order.pk).update(
        number=work_order.number,
        created_at=work_order.created_at,
        updated_at=work_order.updated_at,
    )
    return work_order


@transaction.atomic
def add_timeline_note(
    *,
    work_order: WorkOrder,
    text: str,
    author: User | None = None,
    customer_visible: bool = False,
    now: datetime | None = None,
) -> TimelineNote:
    text = text.strip()
    if not text:
        raise DomainError(gettext("A note needs some text."))
    return TimelineNote.objects.create(
        work_order=work_order,
        author=author,
        text=text,
        customer_visible=customer_visible,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def create_booking(
    *,
    work_order: WorkOrder,
    resource: Resource,
    start: datetime,
    end: datetime,
    created_via_portal: bool = False,
    created_by: User | None = None,
    external_id: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book a technician for a work order, refusing a time they are already booked."""
    if end <= start:
        raise InvalidBooking(gettext("A booking must end after it starts."))
    if external_id and Booking.objects.filter(external_id=external_id).exists():
        raise InvalidBooking(gettext("Another visit already has this external ID."))
    # Lock the technician so two bookings for them cannot pass the overlap check at once,
    # and read whether they are active from the locked row, not the caller's copy.
    locked_resource = locking.lock_technician(resource.pk)
    if not locked_resource.active:
        raise InvalidBooking(
            gettext("%(technician)s is not an active technician.") % {"technician": resource}
        )
    clash = find_clash(technician_id=resource.pk, start=start, end=end)
    if clash is not None:
        raise BookingConflict(clash_message(clash))
    booking = _insert_with_unique_reference(
        work_order=work_order,
        resource=resource,
        start=start,
        end=end,
        created_via_portal=created_via_portal,
        external_id=external_id,
    )
    BookingStatusChange.objects.create(
        booking=booking,
        from_status="",
        to_status=BookingStatus.SCHEDULED,
        changed_at=now or timezone.now(),
        changed_by=created_by,
    )
    events.publish("booking.created", booking_id=booking.pk)
    return booking


RESCHEDULE_THRESHOLD = timedelta(minutes=10)


@transaction.atomic
def reschedule(
    *,
    booking: Booking,
    start: datetime,
    end: datetime,
    resource: Resource | None = None,
    changed_by: User | None = None,
    now: datetime | None = None,
) -> Booking:
    """Move a visit to a new time (and perhaps another technician) while work has not started.

    A move of more than ten minutes is a reschedule the customer hears about; a smaller
    one is a correction.
    """
    if end <= start:
        raise InvalidBooking(gettext("A booking must end after it starts."))
    technician_id = resource.pk if resource is not None else booking.resource_id
    # The one lock order (`scheduling.locking`): account, technician, booking.
    locking.lock_account(locking.account_of(booking.pk))
    locked_resource = locking.lock_technician(technician_id)
    locked = locking.lock_booking(booking.pk)
    moved = move_locked(
        locked=locked,
        technician=locked_resource,
        start=start,
        end=end,
        changed_by=changed_by,
        now=now,
    )
    booking.refresh_from_db()
    return moved


def move_locked(
    *,
    locked: Booking,
    technician: Resource,
    start: datetime,
    end: datetime,
    changed_by: User | None = None,
    now: datetime | None = None,
) -> Booking:
    """`reschedule` for a caller that holds the locks already (account, technician, booking)."""
    if end <= start:
        raise InvalidBooking(gettext("A booking must end after it starts."))
    locked_resource, technician_id = technician, technician.pk
    if not locked.can_modify():
        raise InvalidBooking(str(refusals.NO_LONGER_MOVED[locked.status]))
    if not locked_resource.active:
        raise InvalidBooking(
            gettext("%(technician)s is not an active technician.") % {"technician": locked_resource}
        )
    clash = find_clash(technician_id=technician_id, start=start, end=end, excluding=locked)
    if clash is not None:
        raise BookingConflict(clash_message(clash))
    old_start, old_end = locked.start, locked.end
    locked.start, locked.end, locked.resource = start, end, locked_resource
    locked.save(update_fields=["start", "end", "resource", "updated_at"])
    if (start, end) != (old_start, old_end):
        # Every change of time: whether the customer hears of it depends on what they
        # were last told, which the notifications app knows, not on this one move.
        events.publish("booking.moved", booking_id=locked.pk)
    if abs(start - old_start) > RESCHEDULE_THRESHOLD:
        zone = locked.time_zone
        add_timeline_note(
            work_order=locked.work_order,
            text=(
                f"Visit {locked.reference} moved from "
                f"{timezone.localtime(old_start, zone):%a %d %b %H:%M} to "
                f"{timezone.localtime(start, zone):%a %d %b %H:%M}."
            ),
            author=changed_by,
            customer_visible=True,
            now=now,
        )
        events.publish(
            "booking.rescheduled",
            booking_id=locked.pk,
            old_start=old_start.isoformat(),
            old_end=old_end.isoformat(),
            new_start=start.isoformat(),
            new_end=end.isoformat(),
            changed_by_id=changed_by.pk if changed_by else None,
        )
    return locked


def find_clash(
    *, technician_id: int, start: datetime, end: datetime, excluding: Booking | None = None
) -> Booking | None:
    """An open booking of the technician that overlaps the time, if there is one."""
    bookings = Booking.objects.open().filter(resource_id=technician_id).overlapping(start, end)
    if excluding is not None and excluding.pk is not None:
        bookings = bookings.exclude(pk=excluding.pk)
    return bookings.select_related("resource", "work_order__account").order_by("start").first()


def clash_message(clash: Booking) -> str:
    zone = clash.time_zone
    return gettext(
        "%(technician)s already has booking %(reference)s at that time (%(start)s–%(end)s). "
        "Choose another time or another technician."
    ) % {
        "technician": clash.resource,
        "reference": clash.reference,
        "start": f"{timezone.localtime(clash.start, zone):%Y-%m-%d %H:%M}",
        "end": f"{timezone.localtime(clash.end, zone):%H:%M}",
    }


def _insert_with_unique_reference(**fields: object) -> Booking:
    for _ in range(10):
        try:
            with transaction.atomic():
                return Booking.objects.create(reference=new_booking_reference(), **fields)
        except IntegrityError:
            # Another booking has this reference (about one chance in 27 billion): draw again.
            continue
    raise DomainError(gettext("Could not find a free booking reference; please try again."))


@transaction.atomic
def set_status(
    *,
    booking: Booking,
    status: str,
    changed_by: User | None = None,
    cancel_reason: str = "",
    completion_note: str = "",
    now: datetime | None = None,
) -> Booking:
    """Move a booking along the status machine, or refuse with the reason."""
    if status not in BookingStatus.values:
        raise InvalidStatusMove(
            gettext("“%(status)s” is not a booking status.") % {"status": status}
        )
    now = now or timezone.now()
    if status == BookingStatus.TRAVELING:
        # One trip at a time: the technician's row first (the one lock order), so two
        # "On my way" taps for two visits queue and the second sees the first.
        technician = locking.lock_technician(
            Booking.objects.values_list("resource_id", flat=True).get(pk=booking.pk)
        )
    # Re-read under lock so two people changing the same booking see each other's move.
    locked = locking.lock_booking(booking.pk)
    old = locked.status
    if status not in ALLOWED_STATUS_MOVES[old]:
        raise InvalidStatusMove(refusals.status_move_refusal(old, status))
    if status == BookingStatus.TRAVELING:
        _check_one_trip_at_a_time(locked, technician)
    if status == BookingStatus.CANCELED and not cancel_reason.strip():
        raise InvalidStatusMove(gettext("Say why the booking is canceled."))
    locked.status = status
    update_fields = ["status", "updated_at"]
    if status == BookingStatus.CANCELED:
        locked.cancel_reason = cancel_reason.strip()
        update_fields.append("cancel_reason")
    if status == BookingStatus.COMPLETED:
        locked.completed_at = now
        update_fields.append("completed_at")
    locked.save(update_fields=update_fields)
    BookingStatusChange.objects.create(
        booking=locked, from_status=old, to_status=status, changed_at=now, changed_by=changed_by
    )
    if status == BookingStatus.CANCELED:
        add_timeline_note(
            work_order=locked.work_order,
            # Kept in these words: the customer's pages read them in their own language
            # (the portal's `as_read` filter) and the company's systems get them as they are.
            text=f"Visit {locked.reference} canceled: {locked.cancel_reason}",
            author=changed_by,
            customer_visible=True,
            now=now,
        )
        events.publish("booking.canceled", booking_id=locked.pk, reason=locked.cancel_reason)
    if status == BookingStatus.COMPLETED and completion_note.strip():
        add_timeline_note(
            work_order=locked.work_order,
            text=completion_note,
            author=changed_by,
            customer_visible=True,
            now=now,
        )
    events.publish(
        "booking.status_changed",
        booking_id=locked.pk,
        from_status=old,
        to_status=status,
        changed_by_id=changed_by.pk if changed_by else None,
    )
    booking.refresh_from_db()
    return locked


def _check_one_trip_at_a_time(booking: Booking, technician: Resource) -> None:
    """A technician is on the way to one visit at a time: their position is shown to that
    visit's customer only."""
    other = (
        Booking.objects.filter(resource=technician, status=BookingStatus.TRAVELING)
        .exclude(pk=booking.pk)
        .first()
    )
    if other is not None:
        raise InvalidStatusMove(
            gettext(
                "%(technician)s is already on the way to visit %(reference)s. "
                "Start work there, or turn back, before setting off to another visit."
            )
            % {"technician": technician, "reference": other.reference}
        )
