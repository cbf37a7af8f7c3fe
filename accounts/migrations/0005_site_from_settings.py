"""The Sites framework's row names this site (SITE_NAME at the host of SITE_URL) instead of
Django's example.com: allauth shows it as the TOTP issuer, the passkey's relying party and
elsewhere. Mails take both straight from the settings (accounts.adapter.mail_site)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def site_from_settings(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": settings.SITE_NAME},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_suspension"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(site_from_settings, migrations.RunPython.noop)]
