"""Give the editorial roles their permissions on series, groups and other names.

As in articles/0003_editorial_groups: permissions are created here because
post_migrate has not run yet on a fresh database. Contributors may read these
and add other names to the signatories they add; a series, a group or a
membership is public as soon as it is saved, so changing one is for Editors.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEW_MODELS = ["series", "group", "groupmembership", "signatoryalias"]
CONTRIBUTOR_CODENAMES = [f"view_{model}" for model in NEW_MODELS] + [
    "add_signatoryalias"
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("summits")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="summits")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *ours.filter(
            codename__in=[
                f"{action}_{model}"
                for model in NEW_MODELS
                for action in ("view", "add", "change", "delete")
            ]
        )
    )
    contributors, _ = Group.objects.get_or_create(name="Contributors")
    contributors.permissions.add(*ours.filter(codename__in=CONTRIBUTOR_CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("summits", "0005_series_groups_other_names"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
