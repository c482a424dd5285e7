"""The company's time zone, and the reminder time read in it rather than in UTC.

Existing settings keep their meaning: the company's zone is the one most of its
accounts are in (else DOORSTEP_DEFAULT_TIME_ZONE), and the UTC reminder time becomes the
same moment of today in that zone: 10:00 UTC becomes 03:00 in Denver in winter. From
then on the time stays put in the company's zone across daylight saving changes, which
is what the office reads on the page.
"""

import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import django.core.validators
from django.conf import settings
from django.db import migrations, models

import doorstep.core.validators


def company_zone(apps):
    Account = apps.get_model("customers", "Account")
    zones = Counter(Account.objects.values_list("time_zone", flat=True))
    known = doorstep.core.validators.time_zone_names()
    for name, _count in zones.most_common():
        if name in known:
            return name
    return settings.DOORSTEP_DEFAULT_TIME_ZONE


def utc_to_company_time(apps, schema_editor):
    PortalSettings = apps.get_model("configuration", "PortalSettings")
    today = datetime.datetime.now(datetime.UTC).date()
    for row in PortalSettings.objects.all():
        row.time_zone = company_zone(apps)
        moment = datetime.datetime.combine(today, row.reminder_time, datetime.UTC)
        row.reminder_time = moment.astimezone(ZoneInfo(row.time_zone)).time()
        row.save(update_fields=["time_zone", "reminder_time"])


def company_time_to_utc(apps, schema_editor):
    PortalSettings = apps.get_model("configuration", "PortalSettings")
    today = datetime.datetime.now(datetime.UTC).date()
    for row in PortalSettings.objects.all():
        moment = datetime.datetime.combine(today, row.reminder_time, ZoneInfo(row.time_zone))
        row.reminder_time = moment.astimezone(datetime.UTC).time()
        row.save(update_fields=["reminder_time"])


class Migration(migrations.Migration):

    dependencies = [
        ('configuration', '0003_notify_turned_back'),
        ('customers', '0004_external_ids'),
    ]

    operations = [
        migrations.AddField(
            model_name='portalsettings',
            name='time_zone',
            field=models.CharField(choices=doorstep.core.validators.time_zone_choices, default=doorstep.core.validators.default_time_zone, help_text="The reminder time is read in this zone, and the back office's message log and visit lists show their days and times in it.", max_length=64, validators=[doorstep.core.validators.validate_time_zone], verbose_name='company time zone'),
        ),
        migrations.AlterField(
            model_name='portalsettings',
            name='reminder_days_before',
            field=models.PositiveSmallIntegerField(default=1, help_text='How many days before its day a visit is reminded of, at the time below: 1 is the day before. 0 sends no reminders.', validators=[django.core.validators.MaxValueValidator(7, message='Reminders can be sent up to 7 days before a visit.')], verbose_name='send reminders'),
        ),
        migrations.AlterField(
            model_name='portalsettings',
            name='reminder_time',
            field=models.TimeField(default=datetime.time(10, 0), help_text="The time of day the reminders go out, in the company's time zone.", verbose_name='at'),
        ),
        migrations.RunPython(utc_to_company_time, company_time_to_utc),
    ]
