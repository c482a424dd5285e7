from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "doorstep.notifications"
    verbose_name = "Messages and invitations"

    def ready(self) -> None:
        from doorstep.core import events
        from doorstep.notifications import outbox, subscribers

        events.subscribe("contact.added", subscribers.invite_new_contact)
        # Outbox rows are written inside the transaction of the change that causes them.
        events.subscribe_in_transaction("booking.created", outbox.on_booking_created)
        events.subscribe_in_transaction("booking.rescheduled", outbox.on_booking_rescheduled)
        events.subscribe_in_transaction("booking.canceled", outbox.on_booking_canceled)
        events.subscribe_in_transaction("booking.status_changed", outbox.on_status_changed)
        # Email providers' delivery reports, once anymail has checked their signature.
        from anymail.signals import tracking

        from doorstep.notifications.callback_views import record_email_event

        tracking.connect(record_email_event, dispatch_uid="doorstep.notifications.email_reports")
