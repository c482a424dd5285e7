"""Back office pages for work orders, bookings and their history, and customers' feedback.

What the scheduling services own (opening a work order, booking a technician, moving a
booking's status, adding a timeline note) goes through them. When a service refuses
(`DomainError`), the same form comes back with the refusal as its error, what was typed
kept, and nothing saved.
"""

# Importing the modules registers their pages with the admin site.
from doorstep.scheduling.admin import bookings, feedback, notes, work_orders

__all__ = ["bookings", "feedback", "notes", "work_orders"]
