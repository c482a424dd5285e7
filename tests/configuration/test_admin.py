"""The back office as a whole (every registered page renders), and the portal settings page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.forms import BaseForm
from django.test import Client, RequestFactory
from django.urls import reverse

from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import BookingStatus
from doorstep.users.models import User
from tests import factories

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
REGISTERED_IDS = [model._meta.label for model, _ in REGISTERED]

# One believable object of each model, with what its change page shows around it.
MAKERS: dict[str, Callable[[], Model]] = {
    "users.User": factories.UserFactory,
    "auth.Group": lambda: Group.objects.create(name="Dispatchers"),
    "customers.Account": lambda: factories.ContactFactory().account,
    "customers.Contact": lambda: factories.ContactFactory(user=factories.UserFactory()),
    "customers.FunctionalLocation": factories.FunctionalLocationFactory,
    "customers.Asset": lambda: factories.AssetFactory(
        functional_location=factories.FunctionalLocationFactory()
    ),
    "workforce.Skill": factories.SkillFactory,
    "workforce.Resource": lambda: (
        factories.WorkingHoursFactory(resource=factories.ResourceSkillFactory().resource).resource
    ),
    "workforce.TimeOff": factories.TimeOffFactory,
    "catalog.IncidentType": lambda: factories.IncidentTypeSkillFactory().incident_type,
    "scheduling.WorkOrder": lambda: (
        factories.TimelineNoteFactory(work_order=factories.BookingFactory().work_order).work_order
    ),
    "scheduling.Booking": factories.BookingFactory,
    "scheduling.TimelineNote": factories.TimelineNoteFactory,
    "configuration.PortalSettings": PortalSettings.load,
    "plans.ServicePlan": lambda: (
        factories.ChangeRequestFactory(contact=factories.ContactFactory()).plan
    ),
    "plans.ChangeRequest": factories.ChangeRequestFactory,
}


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def posted_values(form: BaseForm) -> dict[str, Any]:
    """What a browser would send back for the form as it was shown."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    return data


# --- Every page of the back office ------------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_every_list_page_renders(
    staff_client: Client, model: type[Model], model_admin: admin.ModelAdmin[Any]
) -> None:
    response = staff_client.get(admin_url(model, "changelist"), follow=True)

    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_every_add_page_renders(
    staff_client: Client,
    staff_user: User,
    rf: RequestFactory,
    model: type[Model],
    model_admin: admin.ModelAdmin[Any],
) -> None:
    url = admin_url(model, "add")
    request = rf.get(url)
    request.user = staff_user

    response = staff_client.get(url, follow=True)

    # Some records are never added by hand (task results, the one settings row): their
    # add page refuses, or sends to the record that exists.
    if model_admin.has_add_permission(request) or response.redirect_chain:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_every_change_page_renders_for_a_factory_made_object(
    staff_client: Client, model: type[Model], model_admin: admin.ModelAdmin[Any]
) -> None:
    maker = MAKERS.get(model._meta.label)
    if maker is None:
        pytest.skip(f"no factory for {model._meta.label} here; its own tests cover its pages")
    obj = maker()

    response = staff_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


def test_a_finished_booking_page_renders_without_status_choices(staff_client: Client) -> None:
    booking = factories.BookingFactory(
        status=BookingStatus.COMPLETED, completed_at=datetime(2030, 1, 2, 12, tzinfo=UTC)
    )

    response = staff_client.get(admin_url(type(booking), "change", booking.pk))

    assert response.status_code == 200
    assert "new_status" not in response.context["adminform"].form.fields


def test_back_office_pages_need_staff(client: Client, db: None) -> None:
    client.force_login(factories.UserFactory())

    response = client.get(admin_url(PortalSettings, "change", PortalSettings.load().pk))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- Portal settings --------------------------------------------------------------------------


@pytest.fixture
def settings_page(db: None) -> str:
    return admin_url(PortalSettings, "change", PortalSettings.load().pk)


def test_settings_list_goes_straight_to_the_single_page(
    staff_client: Client, settings_page: str
) -> None:
    response = staff_client.get(admin_url(PortalSettings, "changelist"))

    assert response.status_code == 302
    assert response["Location"] == settings_page


def test_settings_cannot_be_added_or_deleted(staff_client: Client, settings_page: str) -> None:
    add = staff_client.get(admin_url(PortalSettings, "add"))
    delete = staff_client.get(admin_url(PortalSettings, "delete", 1))

    assert add.status_code == 302
    assert add["Location"] == settings_page
    assert delete.status_code == 403
    assert PortalSettings.objects.count() == 1


def test_settings_page_shows_its_sections_and_the_wording_in_each_language(
    staff_client: Client, settings_page: str
) -> None:
    response = staff_client.get(settings_page)

    names = [fieldset.name for fieldset in response.context["adminform"]]
    languages = ["English · default language", "Español", "Français", "Deutsch", "العربية"]
    assert names[:9] == [
        "General",
        "Display",
        *languages,
        "Self-scheduling",
        "Exclusion lists",
    ]
    for name in names[:9]:
        assert name in response.content.decode()


def test_settings_save_valid_input(staff_client: Client, settings_page: str) -> None:
    account = factories.AccountFactory(name="Never Message Ltd")
    form = staff_client.get(settings_page).context["adminform"].form
    data = posted_values(form) | {
        "company_name": "Acme Heating",
        "reminder_days_before": "3",
        "minimum_lead_days": "2",
        "maximum_lead_days": "30",
        "foreground_color": "#aa3300",
        "excluded_accounts": [str(account.pk)],
    }

    response = staff_client.post(settings_page, data)

    assert response.status_code == 302
    assert response["Location"] == settings_page
    saved = PortalSettings.load()
    assert saved.company_name == "Acme Heating"
    assert saved.reminder_days_before == 3
    assert (saved.minimum_lead_days, saved.maximum_lead_days) == (2, 30)
    assert saved.foreground_color == "#aa3300"
    assert list(saved.excluded_accounts.all()) == [account]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"reminder_days_before": "8"},
            "reminder_days_before",
            "Reminders can be sent up to 7 days before a visit.",
        ),
        (
            {"minimum_lead_days": "20", "maximum_lead_days": "10"},
            "maximum_lead_days",
            "The latest booking day must be on or after the earliest",
        ),
        ({"text_color": "red"}, "text_color", "Enter a colour as # followed by six"),
    ],
    ids=["reminder-days-8", "minimum-lead-after-maximum", "colour-red"],
)
def test_settings_refuse_invalid_input_and_save_nothing(
    staff_client: Client, settings_page: str, changes: dict[str, str], field: str, message: str
) -> None:
    form = staff_client.get(settings_page).context["adminform"].form
    data = posted_values(form) | {"company_name": "Changed while invalid", **changes}

    response = staff_client.post(settings_page, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    saved = PortalSettings.load()
    assert saved.company_name == "Doorstep"
    assert saved.reminder_days_before == 1
    assert saved.text_color == "#1f2328"
