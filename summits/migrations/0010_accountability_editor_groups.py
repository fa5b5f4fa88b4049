"""The editorial roles get the accountability models' permissions.

Editors do everything with commitments, assessments and their evidence;
contributors draft (no delete; publishing is refused by the admin). The
change log is written by the models, so both roles only view it. Safe to run
on any database: groups are fetched or made, permissions added once.
"""

from django.db import migrations

from editorial.roles import grant_permissions

EDITED = ["commitment", "assessment", "assessmentevidence"]
READ_ONLY = ["assessmentchange"]


def codenames(actions, models):
    return [f"{action}_{model}" for model in models for action in actions]


GRANTS = {
    "Editors": codenames(["view", "add", "change", "delete"], EDITED)
    + codenames(["view"], READ_ONLY),
    "Contributors": codenames(["view", "add", "change"], EDITED)
    + codenames(["view"], READ_ONLY),
}


def grant(apps, schema_editor):
    grant_permissions(apps, "summits", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("summits", "0009_commitments_and_assessments"),
        ("editorial", "0002_editor_groups"),
    ]

    # Unapplying keeps the permissions: the groups hold people's memberships.
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
