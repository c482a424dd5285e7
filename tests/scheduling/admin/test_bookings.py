"""The booking pages: status moves, times in the customer's time zone, adding, the list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.core.errors import DomainError
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange, TimelineNote
from doorstep.users.models import User
from tests import factories
from tests.scheduling.admin.pages import (
    BOOKING_ADD,
    at,
    booking_page,
    error_text,
    inline_management,
    scheduled_booking,
    shown_times,
    times,
)

# --- Bookings: status moves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (BookingStatus.SCHEDULED, ["traveling", "canceled"]),
        (BookingStatus.TRAVELING, ["scheduled", "in_progress", "canceled"]),
        (BookingStatus.IN_PROGRESS, ["completed"]),
    ],
)
def test_booking_offers_only_its_allowed_moves(
    staff_client: Client, status: str, offered: list[str]
) -> None:
    booking = scheduled_booking(status=status)

    form = staff_client.get(booking_page(booking)).context["adminform"].form

    choices = [value for value, _ in form.fields["new_status"].choices if value]
    assert choices == offered


def test_booking_status_is_read_only(staff_client: Client) -> None:
    booking = scheduled_booking()

    response = staff_client.get(booking_page(booking))

    assert "status" not in response.context["adminform"].form.fields
    assert "Scheduled" in response.content.decode()


def test_cancel_without_reason_is_refused_and_status_stays(staff_client: Client) -> None:
    booking = scheduled_booking()
    url = booking_page(booking)

    response = staff_client.post(
        url,
        inline_management(staff_client, url) | shown_times(booking) | {"new_status": "canceled"},
    )

    assert response.status_code == 200
    assert "Say why the booking is canceled." in error_text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED
    assert not BookingStatusChange.objects.filter(booking=booking).exists()


def test_allowed_move_is_recorded_with_the_staff_user(
    staff_client: Client, staff_user: User
) -> None:
    booking = scheduled_booking()
    url = booking_page(booking)

    response = staff_client.post(
        url,
        inline_management(staff_client, url) | shown_times(booking) | {"new_status": "traveling"},
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TRAVELING
    change = BookingStatusChange.objects.get(booking=booking)
    assert (change.from_status, change.to_status) == ("scheduled", "traveling")
    assert change.changed_by == staff_user


def test_cancel_with_reason_keeps_the_reason_and_writes_it_on_the_timeline(
    staff_client: Client,
) -> None:
    booking = scheduled_booking()
    url = booking_page(booking)

    staff_client.post(
        url,
        inline_management(staff_client, url)
        | shown_times(booking)
        | {"new_status": "canceled", "reason_for_canceling": "Customer is away"},
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELED
    assert booking.cancel_reason == "Customer is away"
    note = TimelineNote.objects.get(work_order=booking.work_order)
    assert "Customer is away" in note.text


def test_completion_note_goes_on_the_timeline(staff_client: Client, staff_user: User) -> None:
    booking = scheduled_booking(status=BookingStatus.IN_PROGRESS)
    url = booking_page(booking)

    staff_client.post(
        url,
        inline_management(staff_client, url)
        | {"new_status": "completed", "completion_note": "Replaced the pump."},
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.completed_at is not None
    note = TimelineNote.objects.get(work_order=booking.work_order)
    assert (note.text, note.author, note.customer_visible) == (
        "Replaced the pump.",
        staff_user,
        True,
    )


def test_a_move_that_is_not_offered_is_refused(staff_client: Client) -> None:
    booking = scheduled_booking()
    url = booking_page(booking)

    response = staff_client.post(
        url,
        inline_management(staff_client, url) | shown_times(booking) | {"new_status": "completed"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in error_text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED


def test_service_refusal_shows_on_the_form_and_nothing_is_saved(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = scheduled_booking()
    url = booking_page(booking)
    data = inline_management(staff_client, url) | times(at(14), at(15))

    def refuse(**kwargs: Any) -> Booking:
        raise DomainError("The technician has just set off; reload the page.")

    monkeypatch.setattr("doorstep.scheduling.services.set_status", refuse)
    response = staff_client.post(url, data | {"new_status": "traveling"})

    assert response.status_code == 200
    assert "The technician has just set off; reload the page." in error_text(response)
    # What was typed is still there.
    assert response.context["adminform"].form.data["start_1"] == "14:00"
    booking.refresh_from_db()
    assert booking.start == at(9)
    assert booking.status == BookingStatus.SCHEDULED


def test_booking_cannot_be_deleted(staff_client: Client) -> None:
    booking = scheduled_booking()

    response = staff_client.get(reverse("admin:scheduling_booking_delete", args=[booking.pk]))

    assert response.status_code == 403


def test_booking_history_is_shown_read_only(staff_client: Client, staff_user: User) -> None:
    booking = scheduled_booking()
    BookingStatusChange.objects.create(
        booking=booking,
        from_status="",
        to_status="scheduled",
        changed_at=at(8),
        changed_by=staff_user,
    )

    response = staff_client.get(booking_page(booking))

    [history] = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "status_changes"
    ]
    assert not history.has_add_permission
    assert not history.has_change_permission
    assert str(staff_user) in response.content.decode()


# --- Bookings: times --------------------------------------------------------------------------


def test_times_of_a_scheduled_booking_are_shown_in_the_customer_time_zone(
    staff_client: Client,
) -> None:
    booking = scheduled_booking()

    response = staff_client.get(booking_page(booking))

    assert 'name="start_1" value="09:00:00"' in response.content.decode()
    assert 'name="end_1" value="10:00:00"' in response.content.decode()
    assert "America/Denver" in response.content.decode()


def test_moving_a_scheduled_booking_saves_the_new_times(staff_client: Client) -> None:
    booking = scheduled_booking()
    url = booking_page(booking)

    response = staff_client.post(url, inline_management(staff_client, url) | times(at(13), at(14)))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.start, booking.end) == (at(13), at(14))
    assert booking.status == BookingStatus.SCHEDULED


def test_moving_a_booking_onto_another_open_booking_is_refused(staff_client: Client) -> None:
    booking = scheduled_booking()
    other = scheduled_booking(resource=booking.resource, start=at(13), end=at(15))
    url = booking_page(booking)

    response = staff_client.post(url, inline_management(staff_client, url) | times(at(14), at(16)))

    assert response.status_code == 200
    assert f"already has booking {other.reference} at that time (2031-01-13 13:00–15:00)" in (
        error_text(response)
    )
    booking.refresh_from_db()
    assert booking.start == at(9)


def test_moving_a_booking_onto_a_canceled_one_is_allowed(staff_client: Client) -> None:
    booking = scheduled_booking()
    scheduled_booking(
        resource=booking.resource, start=at(13), end=at(15), status=BookingStatus.CANCELED
    )
    url = booking_page(booking)

    response = staff_client.post(url, inline_management(staff_client, url) | times(at(14), at(16)))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == at(14)


def test_times_are_read_only_once_the_technician_travels(staff_client: Client) -> None:
    booking = scheduled_booking(status=BookingStatus.TRAVELING)

    form = staff_client.get(booking_page(booking)).context["adminform"].form

    assert "start" not in form.fields
    assert "end" not in form.fields


# --- Bookings: adding -------------------------------------------------------------------------


def test_adding_a_booking_goes_through_the_service(staff_client: Client, staff_user: User) -> None:
    work_order = factories.WorkOrderFactory()
    technician = factories.ResourceFactory()

    response = staff_client.post(
        BOOKING_ADD,
        {"work_order": work_order.pk, "resource": technician.pk} | times(at(9), at(11)),
    )

    assert response.status_code == 302
    booking = Booking.objects.get()
    # Typed in the customer's time zone (Denver), stored in UTC.
    assert (booking.start, booking.end) == (at(9), at(11))
    assert len(booking.reference) == 7
    assert not booking.created_via_portal
    first = BookingStatusChange.objects.get(booking=booking)
    assert (first.to_status, first.changed_by) == ("scheduled", staff_user)


def warnings_shown(response: Any) -> list[str]:
    return [
        str(message) for message in response.context["messages"] if message.level_tag == "warning"
    ]


def test_booking_a_technician_who_is_a_poor_fit_saves_it_with_warnings(
    staff_client: Client,
) -> None:
    work_order = factories.WorkOrderFactory(incident_type__name="Boiler service")
    factories.IncidentTypeSkillFactory(
        incident_type=work_order.incident_type, skill__name="Gas safety", minimum_proficiency=3
    )
    technician = factories.ResourceFactory(display_name="Alex")
    factories.WorkingHoursFactory(resource=technician)  # Mondays 08:00–17:00
    factories.TimeOffFactory(resource=technician, start=at(16), end=at(20), reason="Dentist")

    response = staff_client.post(
        BOOKING_ADD,
        {"work_order": work_order.pk, "resource": technician.pk} | times(at(16), at(18)),
        follow=True,
    )

    assert Booking.objects.filter(resource=technician).exists()  # the office decides
    assert warnings_shown(response) == [
        "Alex is not qualified for Boiler service: it needs “Gas safety” at level 3, "
        "and Alex does not have it.",
        "The visit, Monday 16:00–18:00 (America/Denver), is outside Alex's working hours "
        "on Mondays (08:00–17:00).",
        "Alex is off from 2031-01-13 16:00 to 2031-01-13 20:00 (Dentist).",
    ]


def test_booking_a_qualified_technician_at_work_warns_of_nothing(staff_client: Client) -> None:
    work_order = factories.WorkOrderFactory()
    skill = factories.IncidentTypeSkillFactory(
        incident_type=work_order.incident_type, minimum_proficiency=3
    ).skill
    technician = factories.ResourceFactory()
    factories.ResourceSkillFactory(resource=technician, skill=skill, proficiency=4)
    factories.WorkingHoursFactory(resource=technician)

    response = staff_client.post(
        BOOKING_ADD,
        {"work_order": work_order.pk, "resource": technician.pk} | times(at(9), at(11)),
        follow=True,
    )

    assert Booking.objects.filter(resource=technician).exists()
    assert warnings_shown(response) == []


def test_moving_a_booking_out_of_the_technicians_hours_warns(staff_client: Client) -> None:
    booking = scheduled_booking()
    factories.WorkingHoursFactory(resource=booking.resource)
    url = booking_page(booking)

    response = staff_client.post(
        url, inline_management(staff_client, url) | times(at(6), at(7)), follow=True
    )

    booking.refresh_from_db()
    assert booking.start == at(6)
    assert [w for w in warnings_shown(response) if "outside" in w]


def test_a_visit_across_two_back_to_back_stretches_of_work_is_within_hours(db: None) -> None:
    from datetime import time

    from doorstep.scheduling.selectors import booking_fit_warnings

    technician = factories.ResourceFactory()
    factories.WorkingHoursFactory(resource=technician, start_time=time(8), end_time=time(12))
    factories.WorkingHoursFactory(resource=technician, start_time=time(12), end_time=time(17))

    assert (
        booking_fit_warnings(
            resource=technician,
            incident_type=factories.IncidentTypeFactory(),
            start=at(11),
            end=at(13),
        )
        == []
    )


def test_a_technician_without_hours_that_day_is_said_not_to_work_then(db: None) -> None:
    from doorstep.scheduling.selectors import booking_fit_warnings

    technician = factories.ResourceFactory(display_name="Sam")
    factories.WorkingHoursFactory(resource=technician, weekday=1)  # Tuesdays only

    warnings = booking_fit_warnings(
        resource=technician,
        incident_type=factories.IncidentTypeFactory(),
        start=at(9),
        end=at(10),
    )

    assert warnings == [
        "Sam does not work on Mondays: the visit is Monday 09:00–10:00 (America/Denver)."
    ]


def test_a_booking_without_end_lasts_the_service_type_duration(staff_client: Client) -> None:
    work_order = factories.WorkOrderFactory(incident_type__estimated_duration_minutes=90)
    technician = factories.ResourceFactory()

    staff_client.post(
        BOOKING_ADD,
        {"work_order": work_order.pk, "resource": technician.pk} | times(at(9), None),
    )

    booking = Booking.objects.get()
    assert booking.end - booking.start == timedelta(minutes=90)


def test_adding_an_overlapping_booking_shows_the_clash_and_saves_nothing(
    staff_client: Client,
) -> None:
    existing = scheduled_booking()
    work_order = factories.WorkOrderFactory()

    response = staff_client.post(
        BOOKING_ADD,
        {"work_order": work_order.pk, "resource": existing.resource.pk}
        | times(at(9, 30), at(10, 30)),
    )

    assert response.status_code == 200
    text = error_text(response)
    assert f"{existing.resource} already has booking {existing.reference} at that time" in text
    assert response.context["adminform"].form.data["start_1"] == "09:30"
    assert Booking.objects.count() == 1
    assert BookingStatusChange.objects.count() == 0


def test_booking_an_inactive_technician_shows_the_service_refusal(staff_client: Client) -> None:
    work_order = factories.WorkOrderFactory()
    technician = factories.ResourceFactory(display_name="Jo P.", active=False)

    response = staff_client.post(
        BOOKING_ADD,
        {"work_order": work_order.pk, "resource": technician.pk} | times(at(9), at(10)),
    )

    assert response.status_code == 200
    assert "Jo P. is not an active technician." in error_text(response)
    assert not Booking.objects.exists()


def test_adding_a_booking_for_a_work_order_starts_from_its_page(staff_client: Client) -> None:
    work_order = factories.WorkOrderFactory()

    response = staff_client.get(f"{BOOKING_ADD}?work_order={work_order.pk}")

    assert response.context["adminform"].form.initial["work_order"] == str(work_order.pk)
    assert work_order.number in response.content.decode()


# --- Booking list ---------------------------------------------------------------------------


def test_booking_list_shows_times_in_the_customer_time_zone(staff_client: Client) -> None:
    booking = scheduled_booking()

    response = staff_client.get(reverse("admin:scheduling_booking_changelist"))

    content = response.content.decode()
    assert "2031-01-13 09:00 MST" in content
    assert booking.work_order.account.name in content


@pytest.mark.parametrize(
    "query", ["reference", "work order number", "account name"], ids=lambda q: q.replace(" ", "-")
)
def test_booking_search(staff_client: Client, query: str) -> None:
    booking = scheduled_booking(work_order__account__name="Bluebird Cafe")
    scheduled_booking(work_order__account__name="Harbour Bakery")
    term = {
        "reference": booking.reference,
        "work order number": booking.work_order.number,
        "account name": booking.work_order.account.name,
    }[query]

    response = staff_client.get(reverse("admin:scheduling_booking_changelist"), {"q": term})

    assert list(response.context["cl"].result_list) == [booking]


def test_booking_filters(staff_client: Client) -> None:
    booking = scheduled_booking(status=BookingStatus.TRAVELING, created_via_portal=True)
    scheduled_booking()

    response = staff_client.get(
        reverse("admin:scheduling_booking_changelist"),
        {
            "status__exact": "traveling",
            "resource__id__exact": booking.resource.pk,
            "work_order__incident_type__id__exact": booking.work_order.incident_type.pk,
            "created_via_portal__exact": "1",
        },
    )

    assert list(response.context["cl"].result_list) == [booking]
