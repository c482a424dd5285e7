from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "doorstep.tracking"
    verbose_name = "Technician locations"
