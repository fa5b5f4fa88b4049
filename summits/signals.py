"""Keep the stored search vectors of summits, declarations and signatories current.

What each model indexes is declared here, next to the signal that stores it;
`home.search` reads the same declarations to query and to fall back on SQLite.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from core.search import SearchDocument, update_search_vector
from summits.models import Declaration, Signatory, Summit

SUMMIT_DOCUMENT = SearchDocument(
    a=("name",), b=("summary", "city", "venue", "organiser"), c=("body",)
)
DECLARATION_DOCUMENT = SearchDocument(a=("title",), b=("summary",), c=("text",))
SIGNATORY_DOCUMENT = SearchDocument(a=("name",), b=("description",))

SEARCH_DOCUMENTS = {
    Summit: SUMMIT_DOCUMENT,
    Declaration: DECLARATION_DOCUMENT,
    Signatory: SIGNATORY_DOCUMENT,
}


@receiver(post_save, sender=Summit, dispatch_uid="summit_search_vector")
@receiver(post_save, sender=Declaration, dispatch_uid="declaration_search_vector")
@receiver(post_save, sender=Signatory, dispatch_uid="signatory_search_vector")
def store_search_vector(sender, instance, **kwargs):
    update_search_vector(instance, SEARCH_DOCUMENTS[sender])
