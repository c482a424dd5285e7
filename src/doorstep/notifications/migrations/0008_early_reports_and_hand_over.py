"""Early delivery reports, and the moment each delivery attempt handed its message over."""

from django.db import migrations, models
from django.db.models import F


def attempts_left_open_may_have_been_handed_over(apps, schema_editor):  # type: ignore[no-untyped-def]
    """An attempt a stopped worker left open before this field existed may have reached
    its provider: mark it handed over, so it is settled as it would have been before."""
    attempt = apps.get_model("notifications", "DeliveryAttempt")
    attempt.objects.filter(finished_at__isnull=True).update(handed_over_at=F("started_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0007_running_late_level'),
    ]

    operations = [
        migrations.CreateModel(
            name='EarlyDeliveryReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider_message_id', models.CharField(db_index=True, max_length=200)),
                ('outcome', models.CharField(max_length=10)),
                ('reason', models.TextField(blank=True)),
                ('reported_at', models.DateTimeField(blank=True, null=True)),
                ('received_at', models.DateTimeField(db_index=True)),
            ],
            options={
                'verbose_name': 'early delivery report',
                'ordering': ['received_at', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='deliveryattempt',
            name='handed_over_at',
            field=models.DateTimeField(blank=True, help_text='When the last of the message left for the provider. An attempt cut short before then never reached it; one cut short after may have.', null=True),
        ),
        migrations.RunPython(
            attempts_left_open_may_have_been_handed_over, migrations.RunPython.noop
        ),
    ]
