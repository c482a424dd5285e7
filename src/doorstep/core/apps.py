from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "doorstep.core"
    verbose_name = "Core"
