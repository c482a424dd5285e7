"""The notifications app's models, one module per subject."""

from doorstep.access.models.invitations import Invitation
from doorstep.access.models.visit_links import VisitLink, VisitLinkState
from doorstep.notifications.models.outbox import (
    Channel,
    DeliveryAttempt,
    MessageType,
    Notification,
    NotificationState,
)
from doorstep.notifications.models.reminders import ReminderRun

__all__ = [
    "Channel",
    "DeliveryAttempt",
    "Invitation",
    "MessageType",
    "Notification",
    "NotificationState",
    "ReminderRun",
    "VisitLink",
    "VisitLinkState",
]
