"""Keep the stored search vectors of summits, declarations and signatories current.

What each model indexes is its own `search_document` (see `core.search`);
`home.search` reads the same declarations to query and to fall back on SQLite.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.search import update_search_vector
from summits.models import Declaration, Group, Series, Signatory, SignatoryAlias, Summit


@receiver(post_save, sender=Summit, dispatch_uid="summit_search_vector")
@receiver(post_save, sender=Declaration, dispatch_uid="declaration_search_vector")
@receiver(post_save, sender=Signatory, dispatch_uid="signatory_search_vector")
@receiver(post_save, sender=Series, dispatch_uid="series_search_vector")
@receiver(post_save, sender=Group, dispatch_uid="group_search_vector")
def store_search_vector(sender, instance, **kwargs):
    update_search_vector(instance, sender.search_document)


@receiver(post_save, sender=SignatoryAlias, dispatch_uid="alias_saved_search")
@receiver(post_delete, sender=SignatoryAlias, dispatch_uid="alias_deleted_search")
def refresh_other_names(sender, instance, **kwargs):
    """An other name added, changed or removed: its signatory is found by it."""
    signatory = Signatory.objects.filter(pk=instance.signatory_id).first()
    if signatory is None:  # deleted along with the signatory
        return
    Signatory.objects.filter(pk=signatory.pk).update(
        other_names_text=signatory.searchable_other_names()
    )
    update_search_vector(signatory, Signatory.search_document)
