"""Validators shared by several apps, each with a message office staff can act on."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

LATITUDE_VALIDATORS = [
    MinValueValidator(-90, message="Latitude must be between -90 and 90."),
    MaxValueValidator(90, message="Latitude must be between -90 and 90."),
]
LONGITUDE_VALIDATORS = [
    MinValueValidator(-180, message="Longitude must be between -180 and 180."),
    MaxValueValidator(180, message="Longitude must be between -180 and 180."),
]
PROFICIENCY_VALIDATORS = [
    MinValueValidator(1, message="Proficiency goes from 1 (beginner) to 5 (expert)."),
    MaxValueValidator(5, message="Proficiency goes from 1 (beginner) to 5 (expert)."),
]


@cache
def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


def default_time_zone() -> str:
    """The time zone a new account or technician gets unless staff choose another."""
    from django.conf import settings

    return str(settings.DOORSTEP_DEFAULT_TIME_ZONE)


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            "%(value)s is not a known time zone. "
            "Use a name such as Europe/Paris or America/Denver.",
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError(
            "Enter a colour as # followed by six hexadecimal digits, for example #1f6feb.",
            code="invalid_colour",
        )


def validate_country_code(value: str) -> None:
    # phonenumbers knows every ISO 3166-1 region that has a telephone plan, which is
    # every country a field service company can send a technician to.
    import phonenumbers

    if value.upper() not in phonenumbers.SUPPORTED_REGIONS or value != value.upper():
        raise ValidationError(
            "Enter the country as its two-letter ISO code in capitals, for example US, GB or FR.",
            code="invalid_country",
        )
