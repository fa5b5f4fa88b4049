"""Keep each article's entry in the search index current (see `core.search`)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article
from core.bulk import post_bulk_create
from core.search import remove_from_index, update_search_vector, write_index


@receiver(post_save, sender=Article, dispatch_uid="article_search_vector")
def store_search_vector(sender, instance, raw=False, **kwargs):
    if not raw:
        update_search_vector(instance, sender.search_document)


@receiver(post_bulk_create, sender=Article, dispatch_uid="article_bulk_index")
def index_bulk_created(sender, instances, **kwargs):
    """Rows written by `core.bulk.bulk_create`: indexed in one go."""
    document = sender.search_document
    write_index(sender, [(row.pk, *document.texts(row)) for row in instances])


@receiver(post_delete, sender=Article, dispatch_uid="article_unindex")
def unindex(sender, instance, **kwargs):
    remove_from_index(sender, instance.pk)
