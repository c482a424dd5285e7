"""`doorstep serve`: the web server, the task worker and the scheduler in one process."""

from __future__ import annotations

import gc
import signal
from argparse import ArgumentParser
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from doorstep.project.background import SchedulerThread, WorkerThread, describe_database
from doorstep.tracking.ingest import INGEST
from doorstep.tracking.live import REFRESHER


class Command(BaseCommand):
    help = (
        "Serve Doorstep: the web server (HTTP and WebSocket, static files included), "
        "the background task worker and the periodic scheduler, in one process."
    )
    requires_system_checks = []  # checked in handle(), after the arguments are read

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run background tasks in this process (run `doorstep worker` instead).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not enqueue periodic tasks from this process.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.check(display_num_errors=False)
        self._refuse_unmigrated_database()
        call_command("collectstatic", interactive=False, verbosity=0)

        background: list[WorkerThread | SchedulerThread] = []
        if not options["no_worker"]:
            background.append(WorkerThread())
        if not options["no_scheduler"]:
            background.append(SchedulerThread())
        for thread in background:
            thread.start()
        # Location pings of concurrent requests are recorded together (tracking.ingest), and
        # the ETAs they move are worked out once each batch is answered (tracking.live).
        REFRESHER.defer()
        INGEST.start()

        host, port = options["host"], options["port"]
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            self.style.SUCCESS(f"Doorstep is running on http://{shown_host}:{port}/")
            + f"  (back office: http://{shown_host}:{port}/admin/; press Ctrl+C to stop)"
        )
        self.stdout.write(f"Data folder: {settings.DATA_DIR}; database: {describe_database()}")
        config = uvicorn.Config(
            "doorstep.project.asgi:application",
            host=host,
            port=port,
            lifespan="off",
            proxy_headers=bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)),
            forwarded_allow_ips="*" if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) else None,
            log_level="info" if settings.DEBUG else "warning",
            # Live-map updates are a few hundred bytes: compressing them costs more CPU
            # than it saves, and a compressor's buffers per socket cost memory.
            ws_per_message_deflate=False,
        )
        server = uvicorn.Server(config)
        # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again for
        # the handler that was there before it. Make that handler a quiet one, so the
        # worker and the scheduler get to stop cleanly too instead of dying mid-task.
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop_signal, lambda signum, frame: None)
        # What is loaded by now (Django, the apps, the URL patterns) lives as long as the
        # process: kept out of the collector's way, it makes each full collection, and
        # the pause it causes in every request and live update, that much shorter.
        gc.collect()
        gc.freeze()
        try:
            server.run()
        finally:
            INGEST.stop()
            REFRESHER.defer(False)
            for thread in background:
                thread.stop()
            for thread in background:
                thread.join(timeout=5)
        if not server.started:
            raise CommandError(f"Could not listen on {host}:{port}; is another server using it?")

    def _refuse_unmigrated_database(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise CommandError(
                f"The database needs {len(plan)} migrations first: run `doorstep migrate`."
            )
