"""Why a visit cannot change as asked: each refusal a whole sentence, in the reader's language.

A status name is not a word to slot into another language's sentence, so every refused
move has a sentence of its own.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from doorstep.scheduling.models import BookingStatus


def status_move_refusal(old: str, new: str) -> str:
    """Why the status machine refuses to move a visit from `old` to `new`."""
    return str(REFUSALS[(old, new)])


S = BookingStatus
# Why a visit under way or over cannot be moved, a whole sentence for each status.
NO_LONGER_MOVED: dict[str, Promise] = {
    S.IN_PROGRESS: gettext_lazy("The visit is In Progress now, so it can no longer be moved."),
    S.COMPLETED: gettext_lazy("The visit is Completed now, so it can no longer be moved."),
    S.CANCELED: gettext_lazy("The visit is Canceled now, so it can no longer be moved."),
}
# Every move the status machine refuses, each a whole sentence, so that each language words
# it its own way (a status name is not a word to slot into another language's sentence).
REFUSALS: dict[tuple[str, str], Promise] = {
    (S.SCHEDULED, S.SCHEDULED): gettext_lazy("The booking is already Scheduled."),
    (S.SCHEDULED, S.IN_PROGRESS): gettext_lazy(
        "A Scheduled booking cannot become In Progress; it can only become Traveling or Canceled."
    ),
    (S.SCHEDULED, S.COMPLETED): gettext_lazy(
        "A Scheduled booking cannot become Completed; it can only become Traveling or Canceled."
    ),
    (S.TRAVELING, S.TRAVELING): gettext_lazy("The booking is already Traveling."),
    (S.TRAVELING, S.COMPLETED): gettext_lazy(
        "A Traveling booking cannot become Completed; "
        "it can only become Scheduled, In Progress or Canceled."
    ),
    (S.IN_PROGRESS, S.SCHEDULED): gettext_lazy(
        "An In Progress booking cannot become Scheduled; it can only become Completed."
    ),
    (S.IN_PROGRESS, S.TRAVELING): gettext_lazy(
        "An In Progress booking cannot become Traveling; it can only become Completed."
    ),
    (S.IN_PROGRESS, S.IN_PROGRESS): gettext_lazy("The booking is already In Progress."),
    (S.IN_PROGRESS, S.CANCELED): gettext_lazy(
        "An In Progress booking cannot become Canceled; it can only become Completed."
    ),
    (S.COMPLETED, S.SCHEDULED): gettext_lazy(
        "A Completed booking cannot change any more, so it cannot become Scheduled."
    ),
    (S.COMPLETED, S.TRAVELING): gettext_lazy(
        "A Completed booking cannot change any more, so it cannot become Traveling."
    ),
    (S.COMPLETED, S.IN_PROGRESS): gettext_lazy(
        "A Completed booking cannot change any more, so it cannot become In Progress."
    ),
    (S.COMPLETED, S.COMPLETED): gettext_lazy("The booking is already Completed."),
    (S.COMPLETED, S.CANCELED): gettext_lazy(
        "A Completed booking cannot change any more, so it cannot become Canceled."
    ),
    (S.CANCELED, S.SCHEDULED): gettext_lazy(
        "A Canceled booking cannot change any more, so it cannot become Scheduled."
    ),
    (S.CANCELED, S.TRAVELING): gettext_lazy(
        "A Canceled booking cannot change any more, so it cannot become Traveling."
    ),
    (S.CANCELED, S.IN_PROGRESS): gettext_lazy(
        "A Canceled booking cannot change any more, so it cannot become In Progress."
    ),
    (S.CANCELED, S.COMPLETED): gettext_lazy(
        "A Canceled booking cannot change any more, so it cannot become Completed."
    ),
    (S.CANCELED, S.CANCELED): gettext_lazy("The booking is already Canceled."),
}
