"""`doorstep worker`: run background tasks only, for installs with several processes."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from doorstep.project.background import describe_database, make_worker


class Command(BaseCommand):
    help = "Run background tasks from the database queue (all queues) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued now, then exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = make_worker(interval=options["interval"], batch=options["batch"])
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Doorstep worker {worker.worker_id} is running on {describe_database()}."
            )
        worker.configure_signals()
        worker.run()
