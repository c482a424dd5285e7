from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "doorstep.api"
    verbose_name = "API"
