"""Keep the stored search vectors of summits, declarations and signatories current.

What each model indexes is declared here, next to the signal that stores it;
`home.search` reads the same declarations to query and to fall back on SQLite.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.search import SearchDocument, update_search_vector
from summits.models import (
    Declaration,
    Group,
    Series,
    Signatory,
    SignatoryAlias,
    Summit,
)

SUMMIT_DOCUMENT = SearchDocument(
    a=("name",), b=("summary", "city", "venue", "organiser"), c=("body",)
)
DECLARATION_DOCUMENT = SearchDocument(a=("title",), b=("summary",), c=("text",))
# Other names and ISO codes weigh as much as the name: "Turkey" and
# "Turkiye" find Türkiye (see Signatory.searchable_other_names).
SIGNATORY_DOCUMENT = SearchDocument(a=("name", "other_names_text"), b=("description",))
SERIES_DOCUMENT = SearchDocument(a=("name",), b=("description",), c=("organiser",))
GROUP_DOCUMENT = SearchDocument(a=("name",), b=("description",))

SEARCH_DOCUMENTS = {
    Summit: SUMMIT_DOCUMENT,
    Declaration: DECLARATION_DOCUMENT,
    Signatory: SIGNATORY_DOCUMENT,
    Series: SERIES_DOCUMENT,
    Group: GROUP_DOCUMENT,
}


@receiver(post_save, sender=Summit, dispatch_uid="summit_search_vector")
@receiver(post_save, sender=Declaration, dispatch_uid="declaration_search_vector")
@receiver(post_save, sender=Signatory, dispatch_uid="signatory_search_vector")
@receiver(post_save, sender=Series, dispatch_uid="series_search_vector")
@receiver(post_save, sender=Group, dispatch_uid="group_search_vector")
def store_search_vector(sender, instance, **kwargs):
    update_search_vector(instance, SEARCH_DOCUMENTS[sender])


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
    update_search_vector(signatory, SIGNATORY_DOCUMENT)
