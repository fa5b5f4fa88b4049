"""Draft preview links: what a reviewer outside the admin opens."""

from django.http import Http404, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

from editorial.models import PreviewLink


def preview(request, token):
    """Show a draft or scheduled item to whoever holds a valid preview link.

    The item's own public view renders it, so the reviewer sees exactly the
    page visitors will see; `PublishedOrPreviewMixin` lets that view show the
    one object named by `request.preview_object`. Expired, revoked, unknown
    or tampered tokens all get the same 404.
    """
    link = PreviewLink.find(token)
    obj = link.content_object if link is not None else None
    if obj is None:
        raise Http404("No such preview.")
    url = obj.get_absolute_url()
    if obj.is_public():
        # Nothing left to preview: send the reviewer to the real page.
        return HttpResponseRedirect(url)
    try:
        match = resolve(url)
    except Resolver404 as error:
        raise Http404("No such preview.") from error
    request.preview_object = obj
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    mark_private(response)
    return response


def mark_private(response):
    """A preview stays between the editor and the reviewer."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the address: do not hand it to sites the page links to.
    response["Referrer-Policy"] = "no-referrer"
    return response
