"""Sign-ins sign in only with a proved address: mark the ones that were proved already.

Until now any address counted. An address is proved when the sign-in never touched its
addresses (the office or an invitation set it) or when an invitation to it was redeemed
by this sign-in's contact. Any other sign-in is asked, at its next sign-in, for a code
sent to its address. Addresses added and never verified were claims that proved
nothing: they go, so that they no longer stand in their owner's way.
"""

from django.db import migrations


def mark_proved_addresses(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("users", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Invitation = apps.get_model("access", "Invitation")

    for user in User.objects.exclude(email="").iterator():
        email = user.email.lower()
        addresses = EmailAddress.objects.filter(user_id=user.pk)
        untouched = not addresses.exists()
        invited = Invitation.objects.filter(
            email__iexact=email, used_at__isnull=False, contact__user_id=user.pk
        ).exists()
        if not (untouched or invited):
            continue
        if EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(
            user_id=user.pk
        ).exists():
            continue  # another sign-in proved it first; leave both for the office
        addresses.filter(primary=True).exclude(email__iexact=email).update(primary=False)
        own = addresses.filter(email__iexact=email).first()
        if own is None:
            EmailAddress.objects.create(user_id=user.pk, email=email, verified=True, primary=True)
        else:
            own.verified = own.primary = True
            own.save(update_fields=["verified", "primary"])

    for address in EmailAddress.objects.filter(verified=False).select_related("user"):
        if address.email.lower() != address.user.email.lower():
            address.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("access", "0001_initial"),
    ]

    operations = [migrations.RunPython(mark_proved_addresses, migrations.RunPython.noop)]
