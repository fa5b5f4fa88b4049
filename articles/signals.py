"""Keep each article's stored search vector current (see `core.search`)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.models import Article
from core.search import SearchDocument, update_search_vector

ARTICLE_DOCUMENT = SearchDocument(
    a=("title",), b=("lede", "author_name", "outlet"), c=("body",)
)


@receiver(post_save, sender=Article, dispatch_uid="article_search_vector")
def store_search_vector(sender, instance, **kwargs):
    update_search_vector(instance, ARTICLE_DOCUMENT)
