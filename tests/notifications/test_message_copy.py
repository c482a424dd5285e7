"""The copy of every message, in every language, on every channel: sentences end once,
every time carries its zone, Spanish and French dates are in their own lower case."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import dates, translation

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import rendering, rules
from doorstep.notifications.models import MessageType
from doorstep.scheduling.models import Booking
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db

VISIT_MESSAGES = [t for t in MessageType.values if t != MessageType.INVITATION]
LANGUAGES = ["en", "es", "fr", "de", "ar"]
# A visit on the 2nd of each month at 21:35 UTC: winter and summer time in Denver.
STARTS = [datetime(2030, month, 2, 21, 35, tzinfo=UTC) for month in range(1, 13)]
TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
# Between two times of one range, the zone is said once, after the second.
RANGE_JOINS = ("-", "–", " and ", " y las ", " et ", " a ", " und ", " والساعة ")
# Arabic keeps times left to right with Unicode isolates: the checks read past them.
ISOLATES = str.maketrans({"\u2066": None, "\u2068": None, "\u2069": None, "\u00a0": " "})


def rendered_messages(booking: Booking, language: str) -> list[tuple[str, str]]:
    """(what, text) of each message type's subject, email body and text message."""
    portal = PortalSettings.load()
    eta = booking.start + timedelta(minutes=47)
    extra = {"eta": eta, "eta_minutes": 47}
    texts = []
    for message_type in VISIT_MESSAGES:
        for channel in (rules.EMAIL, rules.SMS):
            result = rendering.render(
                booking=booking,
                message_type=message_type,
                channel=channel,
                contact=booking.work_order.reported_by,
                language=language,
                portal=portal,
                extra=extra,
            )
            where = f"{language} {message_type} {channel}"
            if channel == rules.EMAIL:
                texts += [(f"{where} subject", result.subject), (f"{where} body", result.body)]
            else:
                texts.append((where, result.body))
    return [(where, text.translate(ISOLATES)) for where, text in texts]


@pytest.fixture
def visit(contact) -> Booking:  # type: ignore[no-untyped-def]
    """A visit whose names end in periods, wherever a name may end one."""
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.show_technician_details = True
    portal.include_survey = True
    portal.save()
    booking = book(contact)
    booking.resource.display_name = "Alex R."
    work_order = booking.work_order
    work_order.address_line1, work_order.city, work_order.postal_code = "12 Elm St.", "Golden", ""
    work_order.incident_type.display_name = "A/C svc."
    booking.cancel_reason = "Parts on order."
    return booking


def at(booking: Booking, start: datetime) -> Booking:
    booking.start, booking.end = start, start + timedelta(hours=1)
    booking.completed_at = booking.end
    return booking


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_sentence_ends_twice_whatever_ends_in_a_period(visit, language: str) -> None:  # type: ignore[no-untyped-def]
    for start in STARTS:
        for what, text in rendered_messages(at(visit, start), language):
            assert ".." not in text, f"{what}: {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_time_carries_its_zone_label(visit, language: str) -> None:  # type: ignore[no-untyped-def]
    for start in (STARTS[0], STARTS[6]):  # MST, then MDT
        label = start.astimezone(visit.time_zone).strftime("%Z")
        for what, text in rendered_messages(at(visit, start), language):
            for match in TIME.finditer(text):
                after = text[match.end() :]
                in_a_range = any(
                    after.startswith(join) and TIME.match(after[len(join) :])
                    for join in RANGE_JOINS
                )
                assert in_a_range or after.startswith(f" {label}"), (
                    f"{what}: {match.group()} without {label} in: {text}"
                )


@pytest.mark.parametrize("language", ["es", "fr"])
def test_months_and_days_are_in_the_languages_own_lower_case(visit, language: str) -> None:  # type: ignore[no-untyped-def]
    with translation.override(language):
        names = {
            str(name)
            for table in (
                dates.MONTHS,
                dates.MONTHS_3,
                dates.MONTHS_AP,
                dates.WEEKDAYS,
                dates.WEEKDAYS_ABBR,
            )
            for name in table.values()
        }
    capitalised = {name[:1].upper() + name[1:] for name in names} - names
    for start in STARTS:
        for what, text in rendered_messages(at(visit, start), language):
            words = set(re.findall(r"[\w.]+", text)) | set(re.findall(r"\w+", text))
            assert not words & capitalised, f"{what}: {text}"
