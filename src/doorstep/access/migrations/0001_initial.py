"""Invitations and visit links (from notifications) and API keys (from api) join the access app.

The tables stay where they are, under their old names: only Django's picture of who
owns them changes, so no row is touched. The content types move too, so permissions
already given to staff keep working."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


MOVED = {("notifications", "invitation"), ("notifications", "visitlink"), ("api", "apikey")}


def move_content_types(apps, schema_editor, *, back=False):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, model in MOVED:
        source, target = ("access", old_app) if back else (old_app, "access")
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    move_content_types(apps, schema_editor, back=True)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('api', '0001_initial'),
        ('notifications', '0005_invitation_messages'),
        ('customers', '0003_contact_profile_reviewed_at'),
        ('scheduling', '0005_visit_feedback'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApiKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='Who uses the key, for example “Dispatch system”.', max_length=100)),
                        ('prefix', models.CharField(editable=False, help_text='The first characters of the key, to recognise it.', max_length=16, verbose_name='key starts with')),
                        ('key_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('active', models.BooleanField(default=True, help_text='Untick to revoke the key: requests with it are refused.')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last used')),
                    ],
                    options={
                        'verbose_name': 'API key',
                        'db_table': 'api_apikey',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(help_text='The address the invitation was sent to.', max_length=254)),
                        ('code_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('automatic', models.BooleanField(default=False, help_text='Sent because the contact was added, not by a person.')),
                        ('created_at', models.DateTimeField(verbose_name='sent')),
                        ('expires_at', models.DateTimeField(verbose_name='valid until')),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations', to='customers.contact')),
                        ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'notifications_invitation',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(django.db.models.functions.text.Lower('email'), name='invitation_email_lower')],
                        'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('email'), condition=models.Q(('automatic', True)), name='one_automatic_invitation_per_email', violation_error_message='This address was already invited automatically.')],
                    },
                ),
                migrations.CreateModel(
                    name='VisitLink',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(verbose_name='issued')),
                        ('valid_until', models.DateTimeField(blank=True, help_text='Empty: until 7 days after the visit is completed or canceled.', null=True)),
                        ('blocked_at', models.DateTimeField(blank=True, null=True)),
                        ('blocked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('booking', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visit_links', to='scheduling.booking')),
                        ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='visit_links', to='customers.contact', verbose_name='recipient')),
                    ],
                    options={
                        'verbose_name': 'booking notification code',
                        'verbose_name_plural': 'booking notification codes',
                        'db_table': 'notifications_visitlink',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('blocked_by__isnull', True), ('blocked_at__isnull', False), _connector='OR'), name='visit_link_blocked_by_only_when_blocked', violation_error_message='Only a blocked code has someone who blocked it.')],
                    },
                ),
                ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=True),
    ]
