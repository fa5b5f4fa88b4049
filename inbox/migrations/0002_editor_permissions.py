"""Editors run the inbox and its feeds; Contributors may read and act on it.

Accepting a story makes a draft press item, which contributors may write; the
feed list is the editors'. Permissions are created here explicitly (see
editorial/migrations/0002_editor_groups.py for why).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": [
        f"{action}_{model}"
        for model in ("presscandidate", "feed")
        for action in ("view", "add", "change", "delete")
    ],
    "Contributors": ["view_presscandidate", "change_presscandidate", "view_feed"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("inbox")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="inbox", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0001_feeds_and_candidates"),
        ("editorial", "0002_editor_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
