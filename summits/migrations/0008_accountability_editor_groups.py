"""The editorial roles get the accountability models' permissions.

Editors do everything with commitments, assessments and their evidence;
contributors draft (no delete; publishing is refused by the admin). The
change log is written by the models, so both roles only view it. Safe to run
on any database: groups are fetched or made, permissions added once.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITED = ["commitment", "assessment", "assessmentevidence"]
READ_ONLY = ["assessmentchange"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("summits")
    # See editorial 0002: migration state's app configs lack models_module.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(actions, models):
        codenames = [f"{a}_{m}" for m in models for a in actions]
        return Permission.objects.filter(
            content_type__app_label="summits", codename__in=codenames
        )

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions(["view", "add", "change", "delete"], EDITED))
    editors.permissions.add(*permissions(["view"], READ_ONLY))
    contributors, _ = Group.objects.get_or_create(name="Contributors")
    contributors.permissions.add(*permissions(["view", "add", "change"], EDITED))
    contributors.permissions.add(*permissions(["view"], READ_ONLY))


class Migration(migrations.Migration):
    dependencies = [
        ("summits", "0007_commitments_and_assessments"),
        ("editorial", "0002_editor_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
