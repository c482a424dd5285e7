from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "doorstep.configuration"
    verbose_name = "Portal configuration"
