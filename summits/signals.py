"""Keep the search index of summits, declarations, signatories, series and
groups current.

What each model indexes is its own `search_document` (see `core.search`): on
PostgreSQL its `search_vector`, on SQLite its rows of the FTS5 index. Some
documents read a related row (a declaration its summit's city, a summit its
series' name), so saving that row re-indexes the ones that read it.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.search import rebuild_index, remove_from_index, update_search_vector
from summits.models import Declaration, Group, Series, Signatory, SignatoryAlias, Summit


@receiver(post_save, sender=Summit, dispatch_uid="summit_search_vector")
@receiver(post_save, sender=Declaration, dispatch_uid="declaration_search_vector")
@receiver(post_save, sender=Signatory, dispatch_uid="signatory_search_vector")
@receiver(post_save, sender=Series, dispatch_uid="series_search_vector")
@receiver(post_save, sender=Group, dispatch_uid="group_search_vector")
def store_search_vector(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures: rows may refer to others not loaded yet
        return
    update_search_vector(instance, sender.search_document)


@receiver(post_save, sender=Summit, dispatch_uid="summit_reindex_declarations")
def reindex_declarations(sender, instance, raw=False, **kwargs):
    """Its declarations are found by the summit's name, city and country."""
    if not raw:
        rebuild_index(instance.declarations.all(), Declaration.search_document)


@receiver(post_save, sender=Series, dispatch_uid="series_reindex_summits")
def reindex_summits(sender, instance, raw=False, **kwargs):
    """Its summits are found by the series' name."""
    if not raw:
        rebuild_index(instance.summits.all(), Summit.search_document)


@receiver(post_delete, sender=Summit, dispatch_uid="summit_unindex")
@receiver(post_delete, sender=Declaration, dispatch_uid="declaration_unindex")
@receiver(post_delete, sender=Signatory, dispatch_uid="signatory_unindex")
@receiver(post_delete, sender=Series, dispatch_uid="series_unindex")
@receiver(post_delete, sender=Group, dispatch_uid="group_unindex")
def unindex(sender, instance, **kwargs):
    remove_from_index(sender, instance.pk)


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
    signatory.other_names_text = signatory.searchable_other_names()
    update_search_vector(signatory, Signatory.search_document)
