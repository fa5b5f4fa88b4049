"""The header and footer menus of editor-written pages, for base.html."""

from core.fragments import ReadLater
from pages.models import Page


def menus(request):
    # Lazy: a response that never prints base.html (a feed, a CSV) runs no
    # query, and one that does runs one for both menus. The header's and the
    # footer's cached fragments both show it, so each must learn the table
    # it came from, whichever of them ran the query (core.fragments).
    return {"page_menus": ReadLater(Page.objects.menus)}
