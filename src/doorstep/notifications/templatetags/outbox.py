from __future__ import annotations

from django import template

from doorstep.notifications.models import Notification, NotificationState

register = template.Library()


@register.simple_tag
def failed_notification_count() -> int:
    return Notification.objects.filter(state=NotificationState.FAILED).count()
