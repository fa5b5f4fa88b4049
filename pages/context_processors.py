"""The header and footer menus of editor-written pages, for base.html."""

from django.utils.functional import SimpleLazyObject

from pages.models import Page


def menus(request):
    # Lazy: a response that never prints base.html (a feed, a CSV) runs no
    # query, and one that does runs one for both menus.
    return {"page_menus": SimpleLazyObject(Page.objects.menus)}
