"""Editors and Contributors use the media library; only Editors delete."""

from django.db import migrations

from core.migration_operations import grant_to_roles


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_media_library"),
        ("editorial", "0002_editor_groups"),
    ]

    operations = [grant_to_roles("core", ["image"])]
