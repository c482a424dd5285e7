from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """Holds the `doorstep` commands (serve, worker, demo) and housekeeping tasks."""

    name = "doorstep.project"
    label = "project"
    verbose_name = "Doorstep"
