from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from doorstep.configuration.models import PortalSettings

pytestmark = pytest.mark.django_db


def errors_for(**values: object) -> dict[str, list[str]]:
    settings = PortalSettings.load()
    for name, value in values.items():
        setattr(settings, name, value)
    with pytest.raises(ValidationError) as raised:
        settings.full_clean()
    return raised.value.message_dict


def test_load_gives_the_single_row_with_sensible_defaults() -> None:
    first = PortalSettings.load()
    again = PortalSettings.load()

    assert first.pk == again.pk == 1
    assert PortalSettings.objects.count() == 1
    assert first.reminder_time.isoformat() == "10:00:00"
    assert first.minimum_lead_days <= first.maximum_lead_days
    first.full_clean()


def test_a_second_row_is_refused() -> None:
    PortalSettings.load()

    with pytest.raises(IntegrityError):
        PortalSettings.objects.create(pk=2)


@pytest.mark.parametrize("days", [0, 1, 7])
def test_reminder_days_from_zero_to_seven_are_accepted(days: int) -> None:
    settings = PortalSettings.load()
    settings.reminder_days_before = days
    settings.full_clean()


def test_reminder_days_above_seven_are_refused() -> None:
    assert errors_for(reminder_days_before=8)["reminder_days_before"] == [
        "Reminders can be sent up to 7 days before a visit."
    ]
    settings = PortalSettings.load()
    settings.reminder_days_before = 8
    with pytest.raises(IntegrityError):
        settings.save()


def test_minimum_lead_must_not_pass_maximum_lead() -> None:
    errors = errors_for(minimum_lead_days=10, maximum_lead_days=5)

    assert "on or after the earliest (10 days ahead)" in errors["maximum_lead_days"][0]


def test_minimum_lead_above_maximum_is_refused_by_the_database() -> None:
    settings = PortalSettings.load()
    settings.minimum_lead_days, settings.maximum_lead_days = 10, 5
    with pytest.raises(IntegrityError):
        settings.save()


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "123456", "#12345g"])
def test_colours_must_be_six_digit_hex(colour: str) -> None:
    errors = errors_for(text_color=colour, background_color=colour, foreground_color=colour)

    for field in ("text_color", "background_color", "foreground_color"):
        assert "six hexadecimal digits" in errors[field][0]


def test_font_family_cannot_carry_css() -> None:
    errors = errors_for(font_family="Arial; } body { display: none")

    assert "font_family" in errors


@pytest.mark.parametrize(
    ("minutes", "ok"), [(15, True), (30, True), (45, True), (7, False), (0, False)]
)
def test_slot_length_must_divide_the_day(minutes: int, ok: bool) -> None:
    settings = PortalSettings.load()
    settings.slot_length_minutes = minutes
    if ok:
        settings.full_clean()
    else:
        assert (
            "divide a day evenly"
            in errors_for(slot_length_minutes=minutes)["slot_length_minutes"][0]
        )
