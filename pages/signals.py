"""Keep each page's search index entry current (see `core.search`)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.search import remove_from_index, update_search_vector
from pages.models import Page


@receiver(post_save, sender=Page, dispatch_uid="page_search_vector")
def store_search_vector(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures
        return
    update_search_vector(instance, sender.search_document)


@receiver(post_delete, sender=Page, dispatch_uid="page_unindex")
def unindex(sender, instance, **kwargs):
    remove_from_index(sender, instance.pk)
