"""Run every benchmark against a fresh SQLite database in a temporary data folder.

Usage: `make bench` (or `.venv/bin/python -m bench [name …]`).
"""

from __future__ import annotations

import os
import sys
import tempfile

os.environ["DOORSTEP_DATA_DIR"] = tempfile.mkdtemp(prefix="doorstep-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorstep.project.settings")
os.environ.setdefault("DOORSTEP_HTTPS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from bench import foundation, reminders, sending, slots, tracking  # noqa: E402

BENCHMARKS = {
    "foundation": foundation.run,
    "slots": slots.run,
    "reminders": reminders.run,
    "sending": sending.run,
    "tracking": tracking.run,
}


def main(names: list[str]) -> None:
    call_command("migrate", verbosity=0)
    for name in names or list(BENCHMARKS):
        print(f"== {name}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
