"""Keep each article's stored search vector current (see `core.search`)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.models import Article
from core.search import update_search_vector


@receiver(post_save, sender=Article, dispatch_uid="article_search_vector")
def store_search_vector(sender, instance, **kwargs):
    update_search_vector(instance, sender.search_document)
