"""Editors see and decide review requests; Contributors see them.

Permissions are created here explicitly: on a fresh database post_migrate has
not run yet when this migration does (see 0002_editor_groups).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["view_reviewrequest", "change_reviewrequest"],
    "Contributors": ["view_reviewrequest"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("editorial")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="editorial", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [("editorial", "0003_review_requests")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
