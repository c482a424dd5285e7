"""Each visit link remembers the message that carried it.

Links issued before are matched to their message where that is certain: a link is
issued while its message is being sent, so it belongs to the one message of its visit
and recipient with a sending attempt under way at the moment the link was issued.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def match_existing_links(apps, schema_editor):
    VisitLink = apps.get_model("access", "VisitLink")
    DeliveryAttempt = apps.get_model("notifications", "DeliveryAttempt")
    for link in VisitLink.objects.filter(notification__isnull=True).iterator():
        candidates = set(
            DeliveryAttempt.objects.filter(
                Q(finished_at__isnull=True) | Q(finished_at__gte=link.created_at),
                notification__booking_id=link.booking_id,
                notification__contact_id=link.contact_id,
                started_at__lte=link.created_at,
            ).values_list("notification_id", flat=True)[:2]
        )
        if len(candidates) == 1:
            VisitLink.objects.filter(pk=link.pk).update(notification_id=candidates.pop())


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_api_key_scopes_and_expiry'),
        ('notifications', '0010_arrival_times_moves_and_calendar_sequence'),
    ]

    operations = [
        migrations.AddField(
            model_name='visitlink',
            name='notification',
            field=models.ForeignKey(blank=True, help_text='The message that carried the code.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='visit_links', to='notifications.notification', verbose_name='message'),
        ),
        migrations.RunPython(match_existing_links, migrations.RunPython.noop),
    ]
