"""`doorstep worker`: run background tasks only, for installs with several processes."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import Worker

from doorstep.project.background import WakingWorker, describe_database, make_worker


class Command(BaseCommand):
    help = "Run background tasks from the database queue (all queues) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help=(
                "Seconds between two looks at an empty queue (default 1); a task enqueued "
                "meanwhile wakes the worker at once on PostgreSQL."
            ),
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued now, then exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker: Worker | WakingWorker
        if options["batch"]:
            worker = make_worker(interval=options["interval"], batch=True)
        else:
            worker = WakingWorker(interval=options["interval"])
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Doorstep worker {worker.worker_id} is running on {describe_database()}."
            )
        worker.configure_signals()
        worker.run()
