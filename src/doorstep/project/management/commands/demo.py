"""`doorstep demo`: load the demo company, then print how to sign in."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from doorstep.core.errors import DomainError
from doorstep.project.demo import load_demo
from doorstep.users.models import User

DEMO_DOMAIN = "demo.doorstep.test"

# Where each sign-in starts, for the doors that exist so far (the customer portal and
# the technician app add theirs here).
DOORS = {"office staff": "/admin/", "customer": "/", "technician": "/tech/"}


class Command(BaseCommand):
    help = (
        "Load Mile High Home Services, an invented home-services company in Denver, with "
        "technicians, customers and six weeks of visits. Running it again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Plan the visits around this day (YYYY-MM-DD) instead of today in Denver.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load it even into a database that already holds other sign-ins.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo adds a staff sign-in whose password is in the README: never into a
        # company's real database by accident.
        # Once the demo is in, loading again is harmless (it changes nothing).
        others = User.objects.exclude(email__iendswith=f"@{DEMO_DOMAIN}")
        demo_loaded = User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").exists()
        if others.exists() and not demo_loaded and not options["force"]:
            raise CommandError(
                "This database already has sign-ins of its own, so it looks like a real "
                "installation. The demo company would add a staff sign-in with a published "
                "password. Run `doorstep demo --force` if you really want it here."
            )
        progress = self.stdout if options["verbosity"] > 0 else None
        try:
            summary = load_demo(today=options["today"], stdout=progress)
        except DomainError as error:
            # Only when someone changed demo records by hand, e.g. deactivated a technician.
            raise CommandError(f"Nothing was loaded: {error}") from error
        planned = (
            f", planned around {summary.today:%A %d %B %Y}" if summary.bookings_created else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo company loaded: {summary.technicians} technicians, "
                f"{summary.accounts} accounts, {summary.bookings} bookings{planned}."
            )
        )
        self.stdout.write("Sign in with:")
        width = max(len(s.email) for s in summary.sign_ins)
        for sign_in in summary.sign_ins:
            note = "" if sign_in.created else "  (an existing sign-in, left as it was)"
            self.stdout.write(
                f"  {sign_in.role:<13} {sign_in.email:<{width}}  "
                f"password {sign_in.password}"
                + (f"  at {DOORS[sign_in.role]}" if sign_in.role in DOORS else "")
                + note
            )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"give the day as YYYY-MM-DD, not {value!r}") from None
