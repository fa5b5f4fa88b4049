"""Formerly made the Editors and Contributors groups; editorial owns them now.

See editorial/migrations/0002_editor_groups.py, which makes them on a fresh
database and leaves the ones this migration made on an existing database as
they are. Kept, empty, because later migrations depend on it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_search_indexes"),
        ("summits", "0002_search_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = []
