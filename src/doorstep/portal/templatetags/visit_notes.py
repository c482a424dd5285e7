"""`{{ note|as_read }}`: a note on a visit as the customer reads it, in the page's language.

The note a cancellation leaves on the timeline (`scheduling.services.set_status`) is
stored in the office's words, "Visit ABC1234 canceled: <reason>", and also goes to the
company's systems as it is. On a customer's page its words are the page's language; the
reason is the customer's or the office's own and stays as written.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext

from doorstep.scheduling.models import TimelineNote

register = template.Library()

CANCELED = re.compile(r"Visit (?P<reference>\S+) canceled: (?P<reason>.*)", re.DOTALL)


@register.filter
def as_read(note: TimelineNote) -> str:
    canceled = CANCELED.fullmatch(note.text)
    if canceled is None:
        return note.text
    return gettext("Visit %(reference)s canceled: %(reason)s") % canceled.groupdict()
