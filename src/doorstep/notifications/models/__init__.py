"""The notifications app's models, one module per subject."""

from doorstep.notifications.models.invitations import Invitation
from doorstep.notifications.models.outbox import (
    Channel,
    DeliveryAttempt,
    MessageType,
    Notification,
    NotificationState,
)
from doorstep.notifications.models.reminders import ReminderRun
from doorstep.notifications.models.visit_links import VisitLink, VisitLinkState

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
