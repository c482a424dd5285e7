"""Every message, on every channel, in each offered language: no English left in the
others, text messages in two segments at most, and Arabic right to left with its
references, times and phone numbers kept left to right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from django.conf import settings

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.notifications import rendering, rules
from doorstep.notifications.models import MessageType
from doorstep.notifications.placeholders import INVITATION_CODE, INVITATION_LINK, VISIT_LINK
from doorstep.notifications.segments import MAX_SEGMENTS, plain_typography, segment_count
from doorstep.scheduling.models import Booking
from tests.factories import ContactFactory
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db

VISIT_MESSAGES = [t for t in MessageType.values if t != MessageType.INVITATION]
OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# A Saturday: "sáb" takes Spanish out of the GSM alphabet, where a text holds half as much.
START = datetime(2030, 11, 30, 21, 0, tzinfo=UTC)
# A company's own portal address, as long as many are.
BASE_URL = "https://portal.example.com"
# What a message says in every language: names, numbers, addresses and zone labels.
WEB_ADDRESS = re.compile(r"https?://\S+")
WORD = re.compile(r"[^\W\d_]+")
SAME_IN_EVERY_LANGUAGE = {"min", "ref"}


@pytest.fixture
def visit(contact: Contact) -> Booking:
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.contact_phone = "+1 720 555 0199"
    portal.contact_email = "office@frontrange.example"
    portal.show_technician_details = True
    portal.include_survey = True
    portal.save()
    booking = book(contact, start=START)
    booking.completed_at = booking.end
    booking.cancel_reason = "Parts on order."
    return booking


def variants(booking: Booking) -> list[dict[str, object]]:
    """What a message may say beyond the visit: an arrival time or none."""
    return [{"eta": booking.start + timedelta(minutes=47), "eta_minutes": 47}, {}]


def rendered(booking: Booking, language: str, *, technician: bool = True) -> dict[str, str]:
    """Each message type's subject, text, HTML and text message, by what and channel."""
    portal = PortalSettings.load()
    portal.show_technician_details = technician
    texts: dict[str, str] = {}
    for message_type, (index, extra) in product(VISIT_MESSAGES, enumerate(variants(booking))):
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
            where = f"{message_type} {index} {channel}"
            if channel == rules.EMAIL:
                texts[f"{where} subject"] = result.subject
                texts[f"{where} body"] = result.body
                texts[f"{where} html"] = re.sub(r"<[^>]+>", " ", result.body_html)
            else:
                texts[where] = result.body
    return texts


def invitation(language: str) -> dict[str, str]:
    from doorstep.access.invitations import invite_contact
    from doorstep.notifications.models import Notification

    contact = ContactFactory(email=f"robin-{language}@example.test", preferred_language=language)
    invite_contact(contact=contact)
    row = Notification.objects.get(invitation__contact=contact)
    return {
        "invitation subject": row.subject,
        "invitation body": row.body,
        "invitation html": re.sub(r"<[^>]+>", " ", row.body_html),
    }


def english_phrases(text: str, names: list[str]) -> set[tuple[str, ...]]:
    """Every run of three words in the text, once names, numbers, web addresses, the
    placeholders and zone labels are taken out: what a translation must not share."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " | ")
    text = WEB_ADDRESS.sub(" | ", text)
    for placeholder in (VISIT_LINK, INVITATION_CODE, INVITATION_LINK):
        text = text.replace(placeholder, " | ")
    phrases = set()
    for part in re.split(r"\|", text):
        words = [
            word.lower()
            for word in WORD.findall(part)
            if not word.isupper() and word.lower() not in SAME_IN_EVERY_LANGUAGE
        ]
        phrases |= {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    return phrases


def names_of(booking: Booking) -> list[str]:
    portal = PortalSettings.load()
    work_order = booking.work_order
    return [
        portal.company_name,
        portal.contact_phone,
        portal.contact_email,
        "Pat",
        "Alex R.",
        work_order.incident_type.display_name,
        work_order.one_line_address,
        booking.reference,
        booking.cancel_reason,
    ]


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_no_sentence_of_english_is_left_in_any_message(visit: Booking, language: str) -> None:
    names = names_of(visit)
    for technician in (True, False):
        english = rendered(visit, "en", technician=technician)
        translated = rendered(visit, language, technician=technician)
        for what, text in english.items():
            theirs = english_phrases(translated[what], names)
            shared = english_phrases(text, names) & theirs
            assert not shared, f"{language} {what}: {sorted(shared)} in {translated[what]!r}"
            assert translated[what] != text, what


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_no_sentence_of_english_is_left_in_the_invitation(visit: Booking, language: str) -> None:
    names = [*names_of(visit), "Front Range Comfort Co.'s"]
    english, translated = invitation("en"), invitation(language)
    for what, text in english.items():
        shared = english_phrases(text, names) & english_phrases(translated[what], names)
        assert not shared, f"{language} {what}: {sorted(shared)} in {translated[what]!r}"


def test_the_comparison_finds_english_left_in_a_translation() -> None:
    english = "Your visit is booked for Saturday. Reference: K7QF2MX"
    half_done = "Su visita is booked for sábado. Referencia: K7QF2MX"
    assert english_phrases(english, []) & english_phrases(half_done, [])


EVERY_TEXT = list(product(settings.LANGUAGES, VISIT_MESSAGES))


@pytest.mark.parametrize(("language", "message_type"), EVERY_TEXT)
def test_every_text_message_fits_in_two_segments(
    visit: Booking, settings, language: tuple[str, str], message_type: str
) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_BASE_URL = BASE_URL
    code, _name = language
    portal = PortalSettings.load()
    for technician, extra in product((True, False), variants(visit)):
        portal.show_technician_details = technician
        body = rendering.render(
            booking=visit,
            message_type=message_type,
            channel=rules.SMS,
            contact=visit.work_order.reported_by,
            language=code,
            portal=portal,
            extra=extra,
        ).body
        sent = plain_typography(rendering.with_real_link(body))
        assert BASE_URL in sent, sent
        assert segment_count(sent) <= MAX_SEGMENTS, f"{len(sent)} characters: {sent}"


def test_a_text_message_too_long_for_two_segments_says_less_and_keeps_its_link(
    visit: Booking, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_BASE_URL = BASE_URL
    portal = PortalSettings.load()
    portal.company_name = "Front Range Heating, Cooling and Plumbing Services"

    def text(language: str) -> str:
        return rendering.render(
            booking=visit,
            message_type=MessageType.CONFIRMED,
            channel=rules.SMS,
            contact=None,
            language=language,
            portal=portal,
        ).body

    assert visit.reference in text("en")
    assert visit.reference not in text("ar")
    assert text("ar").endswith(VISIT_LINK)


def test_arabic_emails_read_right_to_left_with_references_and_times_left_to_right(
    visit: Booking,
) -> None:
    portal = PortalSettings.load()
    result = rendering.render(
        booking=visit,
        message_type=MessageType.CONFIRMED,
        channel=rules.EMAIL,
        contact=visit.work_order.reported_by,
        language="ar",
        portal=portal,
    )
    assert '<html lang="ar" dir="rtl">' in result.body_html
    assert '<bdi dir="ltr">15:00\u00a0MST</bdi>' in result.body_html
    assert "<bdi>Front Range Comfort Co.</bdi>" in result.body_html
    assert '<a href="tel:+17205550199" dir="ltr"' in result.body_html
    # In the text part, Unicode isolates do the same.
    assert "\u2066" in result.body
    assert "\u2069" in result.body
    assert "السبت 30 نوفمبر 2030" in result.body


def test_arabic_text_messages_start_right_to_left_whatever_the_company_name(
    visit: Booking,
) -> None:
    body = rendering.render(
        booking=visit,
        message_type=MessageType.REMINDER,
        channel=rules.SMS,
        contact=None,
        language="ar",
        portal=PortalSettings.load(),
    ).body
    # The name is isolated, so a phone takes the direction of the first Arabic word.
    assert body.startswith("\u2068Front Range Comfort Co.\u2069: ")


@pytest.mark.parametrize(
    ("language", "day"),
    [
        ("en", "Saturday 30 November 2030"),
        ("es", "sábado 30 de noviembre de 2030"),
        ("fr", "samedi 30 novembre 2030"),
        ("de", "Samstag, 30. November 2030"),
        ("ar", "السبت 30 نوفمبر 2030"),
    ],
)
def test_dates_are_written_as_the_language_writes_them(
    visit: Booking, language: str, day: str
) -> None:
    body = rendering.render(
        booking=visit,
        message_type=MessageType.CONFIRMED,
        channel=rules.EMAIL,
        contact=None,
        language=language,
        portal=PortalSettings.load(),
    ).body
    assert day in body


@pytest.mark.parametrize(
    ("language", "minutes", "wording"),
    [
        ("en", 1, "in 1 minute."),
        ("en", 2, "in 2 minutes."),
        ("de", 1, "in 1 Minute."),
        ("fr", 2, "dans 2 minutes."),
        ("ar", 1, "بعد دقيقة واحدة."),
        ("ar", 2, "بعد دقيقتين."),
        ("ar", 5, "بعد 5 دقائق."),
        ("ar", 47, "بعد 47 دقيقة."),
    ],
)
def test_minutes_take_the_languages_plural_forms(
    visit: Booking, language: str, minutes: int, wording: str
) -> None:
    body = rendering.render(
        booking=visit,
        message_type=MessageType.TRAVELING,
        channel=rules.EMAIL,
        contact=None,
        language=language,
        portal=PortalSettings.load(),
        extra={"eta": visit.start, "eta_minutes": minutes},
    ).body
    assert wording in body


def account_email_texts(language: str) -> dict[str, str]:
    from tests.notifications.emails import account_emails

    contact = ContactFactory(
        first_name="Pat", email=f"pat-{language}@example.test", preferred_language=language
    )
    return {
        f"{sent.what} {part}": text
        for sent in account_emails(contact)
        for part, text in (
            ("subject", sent.message.subject),
            ("body", str(sent.message.body)),
            ("html", re.sub(r"<[^>]+>", " ", sent.html)),
        )
    }


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_no_sentence_of_english_is_left_in_any_account_email(visit: Booking, language: str) -> None:
    from tests.notifications.emails import ACCOUNT_CONTEXT

    names = [*names_of(visit), *(str(value) for value in ACCOUNT_CONTEXT.values())]
    names += [f"pat-{code}@example.test" for code in ("en", language)]
    english, translated = account_email_texts("en"), account_email_texts(language)
    assert english.keys() == translated.keys()
    for what, text in english.items():
        shared = english_phrases(text, names) & english_phrases(translated[what], names)
        assert not shared, f"{language} {what}: {sorted(shared)} in {translated[what]!r}"
