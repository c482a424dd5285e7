"""The SEQUENCE of each visit's calendar event, counted across the messages that carry it.

RFC 5545 has calendars apply a newer version of an event only when its SEQUENCE is
higher: the first invitation says 0, each update or cancellation one more, and a file
downloaded from the portal says the last number sent.
"""

from __future__ import annotations

from doorstep.notifications.models import VisitCalendar


def next_calendar_sequence(*, booking_id: int) -> int:
    """The SEQUENCE of the visit's next calendar file sent: 0, then one more each time.

    Called with the booking locked by the change that sends the file.
    """
    row, created = VisitCalendar.objects.select_for_update().get_or_create(booking_id=booking_id)
    if not created:
        row.sequence += 1
        row.save(update_fields=["sequence"])
    return row.sequence


def calendar_sequence(*, booking_id: int) -> int:
    """The SEQUENCE of the last calendar file sent about the visit (0 when none was)."""
    sequence = (
        VisitCalendar.objects.filter(booking_id=booking_id)
        .values_list("sequence", flat=True)
        .first()
    )
    return sequence or 0
