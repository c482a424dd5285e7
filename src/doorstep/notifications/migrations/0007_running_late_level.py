"""The running-late level each booking was last told of, stored instead of read from keys."""

import django.db.models.deletion
from django.db import migrations, models


def levels_from_messages(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Fill the new table from the running-late messages already written (their key ends
    in ":late<level>"), so no customer is told the same slip again after the upgrade."""
    notification = apps.get_model("notifications", "Notification")
    running_late = apps.get_model("notifications", "RunningLate")
    levels: dict[int, tuple[int, object]] = {}
    rows = notification.objects.filter(message_type="running_late", booking__isnull=False)
    for booking_id, key, created_at in rows.values_list(
        "booking_id", "idempotency_key", "created_at"
    ):
        level = key.rsplit(":late", 1)[-1]
        if level.isdigit() and int(level) > levels.get(booking_id, (0, None))[0]:
            levels[booking_id] = (int(level), created_at)
    running_late.objects.bulk_create(
        running_late(booking_id=booking_id, level=level, told_at=told_at)
        for booking_id, (level, told_at) in levels.items()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0006_invitations_and_visit_links_move_to_access'),
        ('scheduling', '0005_visit_feedback'),
    ]

    operations = [
        migrations.CreateModel(
            name='RunningLate',
            fields=[
                ('booking', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='running_late', serialize=False, to='scheduling.booking')),
                ('level', models.PositiveSmallIntegerField(help_text='How many margins past the arrival window the customer was last told of.')),
                ('told_at', models.DateTimeField(verbose_name='told')),
            ],
            options={
                'verbose_name': 'running-late level',
            },
        ),
        migrations.RunPython(levels_from_messages, migrations.RunPython.noop, elidable=True),
    ]
