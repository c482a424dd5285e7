from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "doorstep.scheduling"
    verbose_name = "Scheduling"
