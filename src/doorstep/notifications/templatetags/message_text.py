"""What message templates need beyond Django's own tags: sentences that end once, links
to the portal's pages."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()

SENTENCE_ENDS = (".", "!", "?", "…")


@register.filter
def sentence(value: object) -> str:
    """The value ending a sentence: with a period, unless it ends with one already.

    "Thank you for choosing {{ portal.company_name|sentence }}" reads "… Comfort Co.",
    not "… Comfort Co..".
    """
    text = str(value).rstrip()
    return text if text.endswith(SENTENCE_ENDS) else f"{text}."


@register.simple_tag
def booking_page() -> str:
    """The address of the portal's page for booking a visit."""
    return settings.DOORSTEP_BASE_URL.rstrip("/") + reverse("portal:book")
