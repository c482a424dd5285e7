from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "doorstep.plans"
    verbose_name = "Service plans"
