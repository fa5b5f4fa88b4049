"""Keep each page's stored search vector current (see `core.search`)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from core.search import update_search_vector
from pages.models import Page


@receiver(post_save, sender=Page, dispatch_uid="page_search_vector")
def store_search_vector(sender, instance, **kwargs):
    update_search_vector(instance, sender.search_document)
