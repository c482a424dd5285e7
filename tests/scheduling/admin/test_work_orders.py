"""The work order pages: opening one, its visits and timeline, the list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.scheduling.models import TimelineNote, WorkOrder, WorkOrderSource
from doorstep.users.models import User
from tests import factories
from tests.scheduling.admin.pages import (
    BOOKING_ADD,
    WORK_ORDER_ADD,
    booking_page,
    error_text,
    inline_management,
    scheduled_booking,
    work_order_page,
)


def test_adding_a_work_order_copies_the_account_address(staff_client: Client) -> None:
    account = factories.AccountFactory(address_line1="12 Elm Street", city="Boulder")
    incident_type = factories.IncidentTypeFactory()

    response = staff_client.post(
        WORK_ORDER_ADD,
        {"account": account.pk, "incident_type": incident_type.pk, "instructions": "Dog inside"},
    )

    assert response.status_code == 302
    work_order = WorkOrder.objects.get()
    assert (work_order.address_line1, work_order.city) == ("12 Elm Street", "Boulder")
    assert (work_order.latitude, work_order.longitude) == (account.latitude, account.longitude)
    assert work_order.number == f"WO-{work_order.pk:06d}"
    assert work_order.source == WorkOrderSource.BACK_OFFICE
    assert work_order.instructions == "Dog inside"


def test_adding_a_work_order_for_an_asset_copies_its_location_address(
    staff_client: Client,
) -> None:
    location = factories.FunctionalLocationFactory(address_line1="1 Plant Road", city="Golden")
    asset = factories.AssetFactory(account=location.account, functional_location=location)
    incident_type = factories.IncidentTypeFactory()

    staff_client.post(
        WORK_ORDER_ADD,
        {"account": location.account.pk, "incident_type": incident_type.pk, "asset": asset.pk},
    )

    work_order = WorkOrder.objects.get()
    assert (work_order.address_line1, work_order.city) == ("1 Plant Road", "Golden")
    assert work_order.asset == asset


def test_add_work_order_form_does_not_ask_for_the_address(staff_client: Client) -> None:
    form = staff_client.get(WORK_ORDER_ADD).context["adminform"].form

    assert "address_line1" not in form.fields
    assert "number" not in form.fields


def test_work_order_for_someone_of_another_account_is_refused(staff_client: Client) -> None:
    account = factories.AccountFactory()
    stranger = factories.ContactFactory()
    incident_type = factories.IncidentTypeFactory()

    response = staff_client.post(
        WORK_ORDER_ADD,
        {"account": account.pk, "incident_type": incident_type.pk, "reported_by": stranger.pk},
    )

    assert response.status_code == 200
    assert f"Choose a contact of {account}." in error_text(response)
    assert not WorkOrder.objects.exists()


def test_work_order_page_lists_its_bookings_with_links(staff_client: Client) -> None:
    booking = scheduled_booking()

    response = staff_client.get(work_order_page(booking.work_order))

    content = response.content.decode()
    assert f'<a href="{booking_page(booking)}">{booking.reference}</a>' in content
    assert "2031-01-13 09:00 MST – 10:00" in content
    assert f"{BOOKING_ADD}?work_order={booking.work_order.pk}" in content


def test_work_order_address_is_editable_and_number_is_not(staff_client: Client) -> None:
    work_order = factories.WorkOrderFactory()
    url = work_order_page(work_order)
    form = staff_client.get(url).context["adminform"].form
    assert "number" not in form.fields
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() is not None and not isinstance(form[name].value(), bool)
    }

    response = staff_client.post(
        url, inline_management(staff_client, url) | data | {"address_line2": "Flat 4"}
    )

    assert response.status_code == 302
    work_order.refresh_from_db()
    assert work_order.address_line2 == "Flat 4"


def test_timeline_note_added_on_the_work_order_is_signed_by_the_staff_user(
    staff_client: Client, staff_user: User
) -> None:
    work_order = factories.WorkOrderFactory()
    url = work_order_page(work_order)
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    management = inline_management(staff_client, url)
    new_note_prefix = next(
        key.removesuffix("-TOTAL_FORMS")
        for key, value in management.items()
        if key.endswith("-TOTAL_FORMS") and value == "1"
    )

    response = staff_client.post(
        url,
        management
        | data
        | {
            f"{new_note_prefix}-0-text": "  Called the customer, gate code 1234.  ",
            f"{new_note_prefix}-0-customer_visible": "on",
        },
    )

    assert response.status_code == 302
    note = TimelineNote.objects.get(work_order=work_order)
    assert note.text == "Called the customer, gate code 1234."
    assert note.author == staff_user
    assert note.customer_visible


# --- Work order list ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["number", "external_id", "account__name"])
def test_work_order_search(staff_client: Client, field: str) -> None:
    work_order = factories.WorkOrderFactory(external_id="CRM-4411", account__name="Bluebird Cafe")
    factories.WorkOrderFactory(external_id="CRM-9000")
    term = {"number": work_order.number, "external_id": "CRM-4411", "account__name": "bluebird"}

    response = staff_client.get(
        reverse("admin:scheduling_workorder_changelist"), {"q": term[field]}
    )

    assert list(response.context["cl"].result_list) == [work_order]


def test_work_order_filters(staff_client: Client) -> None:
    work_order = factories.WorkOrderFactory(source=WorkOrderSource.API)
    factories.WorkOrderFactory(source=WorkOrderSource.API)
    factories.WorkOrderFactory(incident_type=work_order.incident_type)

    response = staff_client.get(
        reverse("admin:scheduling_workorder_changelist"),
        {"source__exact": "api", "incident_type__id__exact": work_order.incident_type.pk},
    )

    assert list(response.context["cl"].result_list) == [work_order]
