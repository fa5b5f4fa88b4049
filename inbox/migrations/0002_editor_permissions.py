"""Editors run the inbox and its feeds; Contributors may read and act on it.

Accepting a story makes a draft press item, which contributors may write; the
feed list is the editors'.
"""

from django.db import migrations

from editorial.roles import grant_permissions

GRANTS = {
    "Editors": [
        f"{action}_{model}"
        for model in ("presscandidate", "feed")
        for action in ("view", "add", "change", "delete")
    ],
    "Contributors": ["view_presscandidate", "change_presscandidate", "view_feed"],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "inbox", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0001_feeds_and_candidates"),
        ("editorial", "0002_editor_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
