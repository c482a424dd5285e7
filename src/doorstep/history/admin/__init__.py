"""Back office pages of the service history: documents, and what a visit left behind.

The office attaches documents to a visit, a site or a piece of equipment from their own
pages (an inline to add, one to read) or from the Documents list. Every upload goes
through `services.add_document`, which checks the file by its content; the form checks
it first with the same function, so a refused file says why on the form and what was
typed stays. Publishing a document to the customer is its own step with a confirmation
page. The photos, the technician's record and the service reports of a visit are read
on the booking's page; a corrected report is made there with a reason.
"""

from __future__ import annotations

from doorstep.history.admin import documents, reports  # noqa: F401 - their pages register
from doorstep.history.admin.inlines import BOOKING_INLINES, PLACE_INLINES

__all__ = ["BOOKING_INLINES", "PLACE_INLINES"]
