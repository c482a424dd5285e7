from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Who may come in: invitations to the portal, visit links, and API keys."""

    name = "doorstep.access"
    verbose_name = "Access: invitations, visit links and API keys"

    def ready(self) -> None:
        from doorstep.access import subscribers
        from doorstep.core import events

        events.subscribe("contact.added", subscribers.invite_new_contact)
