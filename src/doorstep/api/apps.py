from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "doorstep.api"
    verbose_name = "API"

    def ready(self) -> None:
        # Registers how the OpenAPI document describes API keys.
        from doorstep.api.rest import schema  # noqa: F401
