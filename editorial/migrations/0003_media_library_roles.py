"""Editors and Contributors use the media library (core's Image); only
Editors delete. Editorial owns the roles, so it grants them here."""

from django.db import migrations

from editorial.roles import grant_to_roles


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_editor_groups"),
        ("core", "0001_media_library"),
    ]

    operations = [grant_to_roles("core", ["image"])]
