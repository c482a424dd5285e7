from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "doorstep.history"
    verbose_name = "Service history"

    def ready(self) -> None:
        from doorstep.core import events
        from doorstep.history import retention, subscribers

        # No file outlives its row, however the row is deleted (cascades included).
        retention.connect()

        events.subscribe("booking.status_changed", subscribers.on_status_changed)
