from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "doorstep.catalog"
    verbose_name = "Service catalog"
