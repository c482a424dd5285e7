from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """Holds the `doorstep` commands (serve, worker, demo) and housekeeping tasks."""

    name = "doorstep.project"
    label = "project"
    verbose_name = "Doorstep"

    def ready(self) -> None:
        from django.tasks.signals import task_enqueued

        from doorstep.project.background import announce_enqueued

        # Every enqueued task wakes an idle worker, here or (on PostgreSQL) in any process.
        task_enqueued.connect(announce_enqueued, dispatch_uid="doorstep.wake_workers")
