"""Editors see and decide review requests; Contributors see them."""

from django.db import migrations

from editorial.roles import grant_permissions

GRANTS = {
    "Editors": ["view_reviewrequest", "change_reviewrequest"],
    "Contributors": ["view_reviewrequest"],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "editorial", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0003_review_requests")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
