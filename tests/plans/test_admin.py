"""The back office's plan pages: a plan is checked like everywhere else, and the office
works through customers' change requests."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.plans.models import ChangeRequest, ServicePlan
from tests.factories import (
    AccountFactory,
    AssetFactory,
    ChangeRequestFactory,
    IncidentTypeFactory,
)

pytestmark = pytest.mark.django_db


def test_a_plan_for_another_accounts_equipment_is_refused_and_the_form_kept(
    staff_client: Client,
) -> None:
    account = AccountFactory()
    form = {
        "account": account.pk,
        "name": "Boiler care",
        "service_type": IncidentTypeFactory().pk,
        "asset": AssetFactory().pk,
        "every": "12",
        "unit": "months",
        "starts_on": "2027-10-01",
        "ends_on": "2027-01-01",
        "status": "active",
        "customer_note": "",
        "change_requests-TOTAL_FORMS": "0",
        "change_requests-INITIAL_FORMS": "0",
    }
    response = staff_client.post(reverse("admin:plans_serviceplan_add"), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose equipment of the same account as the plan." in page
    assert "The last day cannot come before the first visit." in page
    assert 'value="Boiler care"' in page
    assert not ServicePlan.objects.exists()


def test_the_office_marks_requests_handled_and_filters_the_open_ones(
    staff_client: Client,
) -> None:
    waiting = ChangeRequestFactory(text="Move the visits to May")
    done = ChangeRequestFactory(text="Pause over summer")
    url = reverse("admin:plans_changerequest_changelist")
    response = staff_client.post(
        url, {"action": "mark_handled", "_selected_action": [done.pk]}, follow=True
    )
    assert "1 request(s) marked as handled." in response.content.decode()
    open_only = staff_client.get(url, {"state": "open"}).content.decode()
    assert "Move the visits to May" in open_only
    assert "Pause over summer" not in open_only
    waiting.refresh_from_db()
    assert waiting.handled_at is None
    assert ChangeRequest.objects.get(pk=done.pk).handled_at is not None
