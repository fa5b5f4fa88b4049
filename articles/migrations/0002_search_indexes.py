from django.db import migrations

from core.migration_operations import gin_index


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [gin_index("articles_article")]
