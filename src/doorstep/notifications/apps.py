from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "doorstep.notifications"
    verbose_name = "Messages"

    def ready(self) -> None:
        from doorstep.core import events
        from doorstep.notifications import checks, subscribers, tasks  # noqa: F401 - checks register

        # Outbox rows are written inside the transaction of the change that causes them.
        events.subscribe_in_transaction("booking.created", subscribers.on_booking_created)
        events.subscribe_in_transaction("booking.moved", subscribers.on_booking_moved)
        events.subscribe_in_transaction("booking.canceled", subscribers.on_booking_canceled)
        events.subscribe_in_transaction("booking.status_changed", subscribers.on_status_changed)
        events.subscribe_in_transaction("contact.invited", subscribers.on_contact_invited)
        events.subscribe_in_transaction("document.published", subscribers.on_document_published)
        # Once rows are committed, a worker sends them.
        events.subscribe("notifications.pending", lambda event: tasks.send_notifications.enqueue())
        # Email providers' delivery reports, once anymail has checked their signature.
        from anymail.signals import tracking

        from doorstep.notifications.callback_views import record_email_event

        tracking.connect(record_email_event, dispatch_uid="doorstep.notifications.email_reports")
