"""API keys now belong to the access app: a change of Django's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0001_initial'),
        ('api', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='ApiKey',
                ),
                ],
            database_operations=[],
        ),
    ]
