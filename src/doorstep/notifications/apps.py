from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "doorstep.notifications"
    verbose_name = "Messages and invitations"

    def ready(self) -> None:
        from doorstep.core import events
        from doorstep.notifications import subscribers

        events.subscribe("contact.added", subscribers.invite_new_contact)
