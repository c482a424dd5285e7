from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "doorstep.portal"
    verbose_name = "Customer portal"
