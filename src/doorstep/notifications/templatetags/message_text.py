"""What message templates need beyond Django's own tags: sentences that end once,
links to the portal's pages, and words that keep their own direction in Arabic text."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.html import Urlizer, linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SENTENCE_ENDS = (".", "!", "?", "…")
# Unicode isolates (UAX #9): a left-to-right one, a first-strong one, and their end. A
# reference, a time or a phone number inside Arabic keeps its order; a name keeps the
# direction of its own script; and an isolated name at the start of a text message does
# not turn the whole message left to right.
LTR_ISOLATE = "\u2066"
FIRST_STRONG_ISOLATE = "\u2068"
POP_ISOLATE = "\u2069"
NO_BREAK_SPACE = "\u00a0"


@register.filter
def sentence(value: object) -> str:
    """The value ending a sentence: with a period, unless it ends with one already.

    "Thank you for choosing {{ portal.company_name|sentence }}" reads "… Comfort Co.",
    not "… Comfort Co..".
    """
    text = str(value).rstrip()
    if text.endswith(POP_ISOLATE):
        # An isolated name: the sentence's end goes outside it, where a right-to-left
        # reader looks for it, and stands for the name's own.
        inner = text.removesuffix(POP_ISOLATE)
        end = inner[-1] if inner.endswith(SENTENCE_ENDS) else "."
        return f"{inner.removesuffix(end)}{POP_ISOLATE}{end}"
    return text if text.endswith(SENTENCE_ENDS) else f"{text}."


@register.simple_tag
def booking_page() -> str:
    """The address of the portal's page for booking a visit."""
    return settings.DOORSTEP_BASE_URL.rstrip("/") + reverse("portal:book")


def _right_to_left() -> bool:
    return bool(translation.get_language_bidi())


@register.filter
def ltr(value: object) -> str:
    """The value read left to right (a time with its zone, a phone number), in a message
    written right to left; unchanged in any other. A value of one word (a reference)
    keeps its order without help, and an SMS is spared the two characters."""
    text = str(value)
    if not text or not _right_to_left() or not any(char.isspace() for char in text):
        return text
    # Unbroken too: a phone number cut across two lines of right-to-left text reads
    # as two numbers in an order nobody can tell.
    return f"{LTR_ISOLATE}{text.replace(' ', NO_BREAK_SPACE)}{POP_ISOLATE}"


@register.filter
def isolate(value: object) -> str:
    """A name in the direction of its own script, in a message written right to left."""
    text = str(value)
    if not text or not _right_to_left():
        return text
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_ISOLATE}"


@register.filter
def time_range(start: datetime, end: datetime) -> str:
    """ "14:00-15:00 MST": the visit's window, its zone said once, read left to right."""
    return ltr(f"{dateformat.time_format(start, 'H:i')}-{dateformat.format(end, 'H:i T')}")


class _Urlizer(Urlizer):
    # A link or an address isolated in Arabic text is a link all the same.
    wrapping_punctuation = [
        *Urlizer.wrapping_punctuation,
        (LTR_ISOLATE, POP_ISOLATE),
        (FIRST_STRONG_ISOLATE, POP_ISOLATE),
    ]


_urlize = _Urlizer()


@register.filter(is_safe=True)
def message_html(text: str) -> SafeString:
    """A message's text as the HTML of its email: escaped, its addresses links, its
    paragraphs and lines kept, and its isolates `<bdi>` elements, which a mail program's
    HTML view honours better than the characters."""
    html = linebreaks(_urlize(str(text), autoescape=True))
    return mark_safe(  # noqa: S308 - escaped by urlize; only the bdi tags and dir are added
        # A web or email address shown as a link reads left to right in any text.
        html.replace("<a href=", '<a dir="ltr" href=')
        .replace(LTR_ISOLATE, '<bdi dir="ltr">')
        .replace(FIRST_STRONG_ISOLATE, "<bdi>")
        .replace(POP_ISOLATE, "</bdi>")
    )
