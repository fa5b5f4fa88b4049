"""Keep the stored search vectors of summits, declarations and signatories current.

What each model indexes is its own `search_document` (see `core.search`);
`home.search` reads the same declarations to query and to fall back on SQLite.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from core.search import update_search_vector
from summits.models import Declaration, Signatory, Summit


@receiver(post_save, sender=Summit, dispatch_uid="summit_search_vector")
@receiver(post_save, sender=Declaration, dispatch_uid="declaration_search_vector")
@receiver(post_save, sender=Signatory, dispatch_uid="signatory_search_vector")
def store_search_vector(sender, instance, **kwargs):
    update_search_vector(instance, sender.search_document)
