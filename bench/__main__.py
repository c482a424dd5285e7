"""Run every benchmark against a fresh SQLite database in a temporary data folder.

Usage: `make bench` (or `.venv/bin/python -m bench [name …]`). Each benchmark starts from
an empty database and empty caches: what one leaves behind (notifications, pings, API
keys) must not change the next one's figures, or its checks.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tempfile

os.environ["DOORSTEP_DATA_DIR"] = tempfile.mkdtemp(prefix="doorstep-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorstep.project.settings")
os.environ.setdefault("DOORSTEP_HTTPS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

# In the order `make bench` runs them; each is a module of this package with a `run()`.
BENCHMARKS = [
    "foundation",
    "slots",
    "reminders",
    "sending",
    "webhooks",
    "tracking",
    "redis_layer",
    "api",
    "history",
]
if importlib.util.find_spec("bench.pages") is not None:
    BENCHMARKS.append("pages")


def start_clean() -> None:
    """An empty database (the schema kept) and empty caches."""
    call_command("flush", interactive=False, verbosity=0)
    for cache in caches.all():
        cache.clear()
    connections.close_all()


def main(names: list[str]) -> None:
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        sys.exit(f"No benchmark called {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}.")
    call_command("migrate", verbosity=0)
    for name in names or BENCHMARKS:
        print(f"== {name}", flush=True)
        start_clean()
        importlib.import_module(f"bench.{name}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
