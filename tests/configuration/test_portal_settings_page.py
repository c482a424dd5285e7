"""The portal settings page: the company's time zone, fonts, the logo and the travel radius."""

from __future__ import annotations

import io
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from doorstep.configuration.admin import FONT_STACKS
from doorstep.configuration.models import PortalSettings
from tests import factories
from tests.configuration.test_admin import admin_url, posted_values


@pytest.fixture
def settings_page(db: None) -> str:
    return admin_url(PortalSettings, "change", PortalSettings.load().pk)


def post(client: Client, page: str, **changes: Any) -> Any:
    form = client.get(page).context["adminform"].form
    return client.post(page, posted_values(form) | changes, follow=True)


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- When reminders go out --------------------------------------------------------------------


def test_reminders_are_set_as_the_day_before_at_a_time_in_the_companys_zone(
    staff_client: Client, settings_page: str
) -> None:
    html = staff_client.get(settings_page).content.decode()
    assert "The day before the visit" in html
    assert "company time zone" in html.lower()
    assert "(UTC)" not in html

    post(
        staff_client,
        settings_page,
        reminder_days_before="1",
        reminder_time="18:00",
        time_zone="America/Denver",
    )

    saved = PortalSettings.load()
    assert (saved.reminder_days_before, saved.reminder_time) == (1, time(18, 0))
    assert saved.time_zone == "America/Denver"


def test_an_unknown_time_zone_is_refused_and_the_form_keeps_what_was_typed(
    staff_client: Client, settings_page: str
) -> None:
    response = post(staff_client, settings_page, time_zone="Mars/Olympus", company_name="Acme")

    assert "Mars/Olympus is not one of the available choices" in response.content.decode()
    assert 'value="Acme"' in response.content.decode()
    assert PortalSettings.load().company_name == "Doorstep"


# --- Font --------------------------------------------------------------------------------------


def test_a_font_is_picked_from_the_list(staff_client: Client, settings_page: str) -> None:
    response = post(staff_client, settings_page, font="georgia", font_family="ignored, serif")

    assert response.status_code == 200
    assert PortalSettings.load().font_family == FONT_STACKS["georgia"][1]
    form = staff_client.get(settings_page).context["adminform"].form
    assert form["font"].value() == "georgia"


def test_a_custom_font_list_is_kept_as_typed(staff_client: Client, settings_page: str) -> None:
    post(staff_client, settings_page, font="custom", font_family="Lato, Arial, sans-serif")

    assert PortalSettings.load().font_family == "Lato, Arial, sans-serif"
    form = staff_client.get(settings_page).context["adminform"].form
    assert form["font"].value() == "custom"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter the font list to use"), ("Lato; } body {", "Enter font names separated")],
)
def test_a_custom_font_needs_a_valid_list(
    staff_client: Client, settings_page: str, typed: str, message: str
) -> None:
    response = post(staff_client, settings_page, font="custom", font_family=typed)

    assert message in response.content.decode()
    assert PortalSettings.load().font_family == FONT_STACKS["system"][1]


# --- Header image ------------------------------------------------------------------------------


def png(width: int, height: int) -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGBA", (width, height), (20, 90, 160, 255)).save(data, "PNG")
    return SimpleUploadedFile("logo.png", data.getvalue(), content_type="image/png")


def test_the_header_image_says_its_size_and_shows_a_preview(
    staff_client: Client, settings_page: str
) -> None:
    before = staff_client.get(settings_page).content.decode()
    assert "320 × 80 pixels" in before
    assert "No image: the company name is shown instead." in before

    post(staff_client, settings_page, header_image=png(320, 80))

    after = staff_client.get(settings_page).content.decode()
    url = PortalSettings.load().header_image.url
    assert f'<span class="header-image-preview"><img src="{url}"' in after
    assert "style=" not in after.split('class="header-image-preview"')[1][:200]


# --- Travel radius -----------------------------------------------------------------------------


@pytest.fixture
def service_area(db: None) -> None:
    """One technician in Denver; customers in Denver (2) and in Colorado Springs (3)."""
    factories.ResourceFactory()
    factories.AccountFactory.create_batch(2)
    for _ in range(3):
        factories.AccountFactory(latitude=Decimal("38.833900"), longitude=Decimal("-104.821400"))


@pytest.mark.usefixtures("service_area")
def test_a_radius_that_leaves_most_customers_unreached_warns_but_saves(
    staff_client: Client, settings_page: str
) -> None:
    response = post(staff_client, settings_page, maximum_travel_radius_km="20")

    [warning] = [m for m in messages_of(response) if "travel radius" in m]
    assert "3 of the 5 customer addresses and sites have no technician within reach" in warning
    assert PortalSettings.load().maximum_travel_radius_km == 20


@pytest.mark.usefixtures("service_area")
@pytest.mark.parametrize("radius", ["0", "120"])
def test_a_radius_that_reaches_most_customers_saves_without_a_warning(
    staff_client: Client, settings_page: str, radius: str
) -> None:
    response = post(staff_client, settings_page, maximum_travel_radius_km=radius)

    assert not [m for m in messages_of(response) if "travel radius" in m]
    assert PortalSettings.load().maximum_travel_radius_km == int(radius)
