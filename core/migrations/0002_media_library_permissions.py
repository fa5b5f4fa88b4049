"""Editors and Contributors use the media library; only Editors delete.

See editorial/migrations/0002_editor_groups.py for the roles.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("core")
    # Migration state's app configs have no models_module, which
    # create_permissions checks to skip apps without models.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(actions):
        return Permission.objects.filter(
            content_type__app_label="core",
            codename__in=[f"{action}_image" for action in actions],
        )

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions(["view", "add", "change", "delete"]))
    contributors, _ = Group.objects.get_or_create(name="Contributors")
    contributors.permissions.add(*permissions(["view", "add", "change"]))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_media_library"),
        ("editorial", "0002_editor_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
