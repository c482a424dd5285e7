from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "doorstep.history"
    verbose_name = "Service history"
