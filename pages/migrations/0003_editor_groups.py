"""Editors and Contributors may work on pages, as on all content."""

from django.db import migrations

from editorial.roles import grant_to_roles


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_search_index"),
        ("editorial", "0002_editor_groups"),
    ]

    operations = [grant_to_roles("pages", ["page"])]
