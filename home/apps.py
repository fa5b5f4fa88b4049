from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The migration that creates the search index; rows saved before it existed
# are indexed right after it is applied.
INDEX_MIGRATION = ("home", "0001_search_index")


def index_after_creating(sender, plan=None, using="default", **kwargs):
    """Fill the new index with the rows that were saved before it existed."""
    applied = {
        (migration.app_label, migration.name)
        for migration, backwards in (plan or ())
        if not backwards
    }
    if INDEX_MIGRATION in applied:
        from home.search import rebuild_search_index

        rebuild_search_index()


class HomeConfig(AppConfig):
    """Pages that gather from every app: the home page and site search."""

    name = "home"

    def ready(self):
        post_migrate.connect(index_after_creating, sender=self, dispatch_uid="index")
