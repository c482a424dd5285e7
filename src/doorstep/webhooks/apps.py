from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "doorstep.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from doorstep.webhooks import subscribers, tasks

        subscribers.connect()
        # Once delivery rows are committed, a worker sends them (as for messages).
        from doorstep.core import events

        events.subscribe("webhooks.pending", lambda event: tasks.send_webhooks.enqueue())

        from doorstep.core import records
        from doorstep.webhooks.models import WebhookAttempt, WebhookDelivery

        # An endpoint's deletion is a tombstone; its thousands of deliveries are not.
        records.untracked(WebhookDelivery)
        records.untracked(WebhookAttempt)
