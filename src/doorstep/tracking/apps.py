from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "doorstep.tracking"
    verbose_name = "Technician locations"

    def ready(self) -> None:
        from doorstep.core import events
        from doorstep.tracking import live

        # After commit: an ETA is worth recomputing only for a position or a status
        # that was really stored, and routing must not hold the ingest's transaction.
        events.subscribe("tracking.positions", live.on_positions)
        events.subscribe("booking.status_changed", live.on_status_changed)
        events.subscribe("visit_link.revoked", live.on_link_revoked)
