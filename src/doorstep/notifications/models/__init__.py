"""The notifications app's models, one module per subject."""

from doorstep.notifications.models.delivery_reports import EarlyDeliveryReport
from doorstep.notifications.models.outbox import (
    Channel,
    DeliveryAttempt,
    MessageType,
    Notification,
    NotificationState,
)
from doorstep.notifications.models.reminders import ReminderRun, ReminderScheduleStart
from doorstep.notifications.models.running_late import RunningLate, VisitCalendar

__all__ = [
    "Channel",
    "DeliveryAttempt",
    "EarlyDeliveryReport",
    "MessageType",
    "Notification",
    "NotificationState",
    "ReminderRun",
    "ReminderScheduleStart",
    "RunningLate",
    "VisitCalendar",
]
