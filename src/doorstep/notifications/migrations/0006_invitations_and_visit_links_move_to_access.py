"""Invitations and visit links now belong to the access app: a change of Django's state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0001_initial'),
        ('notifications', '0005_invitation_messages'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name='invitation',
                    name='invitation_email_lower',
                ),
                migrations.RemoveConstraint(
                    model_name='invitation',
                    name='one_automatic_invitation_per_email',
                ),
                migrations.AlterField(
                    model_name='notification',
                    name='invitation',
                    field=models.ForeignKey(blank=True, help_text='For invitation messages, which concern a person rather than a visit.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='access.invitation'),
                ),
                migrations.RemoveConstraint(
                    model_name='visitlink',
                    name='visit_link_blocked_by_only_when_blocked',
                ),
                migrations.RemoveField(
                    model_name='visitlink',
                    name='blocked_by',
                ),
                migrations.RemoveField(
                    model_name='visitlink',
                    name='booking',
                ),
                migrations.RemoveField(
                    model_name='visitlink',
                    name='contact',
                ),
                migrations.DeleteModel(
                    name='Invitation',
                ),
                migrations.DeleteModel(
                    name='VisitLink',
                ),
                ],
            database_operations=[],
        ),
    ]
