from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "doorstep.workforce"
    verbose_name = "Technicians"
