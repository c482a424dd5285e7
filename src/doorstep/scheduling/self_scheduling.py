"""Customers booking, moving and canceling their own visits.

The engine (`scheduling.slots`) proposes; these services decide inside one transaction,
with the candidate technicians locked and their day read again, so the time a customer
gets is one a qualified technician can really keep.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.core.models import Coordinates
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.scheduling import locking, selectors
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource
from doorstep.scheduling.services import (
    BookingConflict,
    InvalidBooking,
    add_timeline_note,
    create_booking,
    create_work_order,
    move_locked,
    set_status,
)
from doorstep.scheduling.slots import Slot, SlotRequest, is_offered_start, slot_candidates
from doorstep.scheduling.travel import Point, TravelEstimator, default_estimator
from doorstep.workforce.models import Resource


class SlotTaken(BookingConflict):
    """The chosen time is no longer free: someone else was quicker."""

    def __init__(self) -> None:
        super().__init__(gettext("That time was just taken. Please choose another one."))


def visit_place(
    *, account: Account, asset: Asset | None, site: FunctionalLocation | None = None
) -> Account | FunctionalLocation:
    """Where a visit goes: the asset's location when it has one, else the site, else the
    account's address."""
    if asset is not None and asset.functional_location is not None:
        return asset.functional_location
    return site or account


def visit_point(place: Coordinates) -> Point:
    """Where a visit goes on the map: an account's, a location's or a work order's point."""
    if place.latitude is None or place.longitude is None:
        raise InvalidBooking(
            gettext(
                "Your address is not yet on our map, so we cannot offer times online. "
                "Please call us to book."
            )
        )
    return Point(float(place.latitude), float(place.longitude))


def check_service_type(incident_type: IncidentType) -> None:
    if not incident_type.portal_enabled:
        raise InvalidBooking(gettext("This service type cannot be booked online. Please call us."))


def check_asset(*, account: Account, asset: Asset | None) -> None:
    if asset is None:
        return
    if asset.account_id != account.pk:
        raise InvalidBooking(gettext("That equipment is not registered to your account."))
    if not PortalSettings.load().asset_selection_enabled:
        raise InvalidBooking(gettext("Choosing equipment is not offered when booking online."))


def _choose_technician(
    *, request: SlotRequest, start: datetime, travel: TravelEstimator
) -> tuple[Resource, Slot]:
    """The best technician still free at `start`, locked for the rest of the transaction."""
    if not is_offered_start(request, start):
        raise InvalidBooking(gettext("Choose one of the times offered."))
    candidates = slot_candidates(request, selectors.technicians_for(request=request), start, travel)
    if not candidates:
        raise SlotTaken()
    ids = sorted(slot.technician_id for slot in candidates)
    # One lock query in id order: racing bookings lock the same rows in the same order,
    # so they queue instead of deadlocking.
    locked = locking.lock_technicians(ids)
    fresh = selectors.technicians_for(request=request, technician_ids=ids)
    for slot in slot_candidates(request, fresh, start, travel):
        return locked[slot.technician_id], slot
    raise SlotTaken()


@transaction.atomic
def book(
    *,
    contact: Contact,
    incident_type: IncidentType,
    start: datetime,
    asset: Asset | None = None,
    site: FunctionalLocation | None = None,
    details: str = "",
    external_id: str = "",
    work_order_external_id: str = "",
    source: WorkOrderSource = WorkOrderSource.PORTAL,
    now: datetime | None = None,
    travel: TravelEstimator | None = None,
) -> Booking:
    """Book a visit at an offered start time for the contact's account, at its address or
    at `site`, one of its sites (an asset with a site of its own is visited there).

    Creates the work order (reported by the contact, from `source`), the booking for
    the technician whose day gains the least travel, and the customer's details as a
    note they can see. Refuses with `SlotTaken` when the time is no longer free.
    """
    now = now or timezone.now()
    account = locking.lock_account(contact.account_id)
    if not account.active:
        raise InvalidBooking(
            gettext("Your account cannot book online at the moment. Please call us.")
        )
    check_service_type(incident_type)
    check_asset(account=account, asset=asset)
    location = visit_point(visit_place(account=account, asset=asset, site=site))
    request = _request_for_day(
        incident_type=incident_type,
        location=location,
        time_zone=account.time_zone,
        start=start,
        now=now,
    )
    travel = travel or default_estimator(account.time_zone)
    technician, slot = _choose_technician(request=request, start=start, travel=travel)
    work_order = create_work_order(
        account=account,
        incident_type=incident_type,
        reported_by=contact,
        asset=asset,
        site=site,
        source=source,
        external_id=work_order_external_id,
        now=now,
    )
    booking = create_booking(
        work_order=work_order,
        resource=technician,
        start=slot.start,
        end=slot.end,
        created_via_portal=True,
        created_by=contact.user,
        external_id=external_id,
        now=now,
    )
    if details.strip():
        add_timeline_note(
            work_order=work_order,
            text=details,
            author=contact.user,
            customer_visible=True,
            now=now,
        )
    return booking


@transaction.atomic
def move_visit(
    *,
    contact: Contact,
    booking: Booking,
    start: datetime,
    now: datetime | None = None,
    travel: TravelEstimator | None = None,
) -> Booking:
    """Move the contact's visit to another offered start time, perhaps with another technician."""
    now = now or timezone.now()
    # The one lock order (`scheduling.locking`): the account first, then the technicians
    # (`_choose_technician`), then the booking, whose status is checked again under its lock.
    locking.lock_account(contact.account_id)
    booking = _own_booking(contact=contact, booking=booking)
    if booking.status != BookingStatus.SCHEDULED:
        raise InvalidBooking(locked_reason(booking))
    if not booking.work_order.account.active:
        raise InvalidBooking(
            gettext("Your account cannot book online at the moment. Please call us.")
        )
    work_order = booking.work_order
    location = visit_point(work_order)
    request = _request_for_day(
        incident_type=work_order.incident_type,
        location=location,
        time_zone=work_order.account.time_zone,
        start=start,
        now=now,
        ignore_booking_id=booking.pk,
    )
    travel = travel or default_estimator(work_order.account.time_zone)
    technician, slot = _choose_technician(request=request, start=start, travel=travel)
    # Now the booking's own row, and its status again: the technician may have set off
    # since it was read.
    locked = locking.lock_booking(booking.pk)
    if locked.status != BookingStatus.SCHEDULED:
        raise InvalidBooking(locked_reason(locked))
    return move_locked(
        locked=locked,
        technician=technician,
        start=slot.start,
        end=slot.end,
        changed_by=contact.user,
        now=now,
    )


@transaction.atomic
def cancel_visit(*, contact: Contact, booking: Booking, reason: str) -> Booking:
    """The customer cancels their visit, saying why, before work has started."""
    booking = _own_booking(contact=contact, booking=booking, lock=True)
    if not booking.can_modify():
        raise InvalidBooking(locked_reason(booking))
    if not reason.strip():
        raise InvalidBooking(gettext("Please tell us briefly why you cancel."))
    return set_status(
        booking=booking,
        status=BookingStatus.CANCELED,
        changed_by=contact.user,
        cancel_reason=reason,
    )


def _request_for_day(
    *,
    incident_type: IncidentType,
    location: Point,
    time_zone: str,
    start: datetime,
    now: datetime,
    ignore_booking_id: int | None = None,
) -> SlotRequest:
    local_day = start.astimezone(ZoneInfo(time_zone)).date()
    request = selectors.slot_request_for(
        incident_type=incident_type,
        location=location,
        time_zone=time_zone,
        first_day=local_day,
        last_day=local_day,
        now=now,
        ignore_booking_id=ignore_booking_id,
    )
    if request.first_day > request.last_day:
        raise InvalidBooking(
            gettext("That day cannot be booked online: choose a day within the dates offered.")
        )
    return request


def _own_booking(*, contact: Contact, booking: Booking, lock: bool = False) -> Booking:
    """The booking as it is now, if it belongs to the contact's account.

    With `lock`, the row stays locked until the transaction ends, so the status read
    here is still the status when the change is written.
    """
    bookings = Booking.objects.select_related("work_order__account", "work_order__incident_type")
    if lock:
        bookings = bookings.select_for_update(of=("self",))
    fresh = bookings.filter(pk=booking.pk, work_order__account_id=contact.account_id).first()
    if fresh is None:
        raise InvalidBooking(gettext("That visit is not one of yours."))
    return fresh


def locked_reason(booking: Booking) -> str:
    """Why the customer can no longer move or cancel this visit, in their words."""
    if booking.status == BookingStatus.TRAVELING:
        return gettext(
            "The technician is already on the way, so this visit can no longer be moved. "
            "Call us to change it."
        )
    if booking.status == BookingStatus.IN_PROGRESS:
        return gettext("Work on this visit has started, so it can no longer be moved or canceled.")
    if booking.status == BookingStatus.COMPLETED:
        return gettext("This visit is completed, so it can no longer be moved or canceled.")
    if booking.status == BookingStatus.CANCELED:
        return gettext("This visit was canceled, so it can no longer be moved.")
    return gettext("This visit can no longer be moved or canceled.")
