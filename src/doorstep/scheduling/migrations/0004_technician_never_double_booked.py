"""On PostgreSQL, the database itself refuses two open bookings of one technician at once.

The services already lock the technician and check; this constraint holds even for a
write that bypasses them. SQLite has no exclusion constraints, so there the services'
check is the only guard (and SQLite runs one writer at a time anyway).
"""

from django.db import migrations

OPEN = "('scheduled', 'traveling', 'in_progress')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_booking
    ADD CONSTRAINT booking_technician_never_double_booked
    EXCLUDE USING gist (resource_id WITH =, tstzrange("start", "end", '[)') WITH &&)
    WHERE (status IN {OPEN});
"""

DROP = """
ALTER TABLE scheduling_booking DROP CONSTRAINT IF EXISTS booking_technician_never_double_booked;
"""


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_timeline_note_time_can_be_given")]

    operations = [migrations.RunPython(create, drop)]
