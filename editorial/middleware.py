"""Old addresses keep working: the editorial side of a renamed item.

`SlugRedirectMiddleware` answers a 404 for an address a published item used
to have with a 301 to where the item lives now. (The request-level
middleware that is not about editing lives in `ops.middleware`.)
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError
from django.http import HttpResponsePermanentRedirect

from editorial.models import SlugRedirect

logger = logging.getLogger(__name__)


class SlugRedirectMiddleware:
    """Turn a 404 at an old address into a 301 to the item's current address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        try:
            target = self.current_url(request.path)
        except DatabaseError:
            logger.warning("Could not look up a redirect for %s", request.path)
            return response
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)

    @staticmethod
    def candidate_paths(path):
        """The path and each of its parent folders, longest first.

        A page below an item's address (e.g. a declaration's
        `signatories.csv`) follows the item too.
        """
        candidates = [path]
        trimmed = path.rstrip("/")
        while "/" in trimmed.strip("/"):
            trimmed = trimmed.rsplit("/", 1)[0]
            candidates.append(trimmed + "/")
        return candidates

    def current_url(self, path):
        candidates = self.candidate_paths(path)
        redirects = SlugRedirect.objects.filter(old_path__in=candidates)
        for redirect in sorted(redirects, key=lambda r: -len(r.old_path)):
            obj = self.public_object(redirect)
            if obj is None:
                continue
            current = obj.get_absolute_url()
            target = current + path[len(redirect.old_path) :]
            if target != path:
                return target
        return None

    @staticmethod
    def public_object(redirect):
        """The item `redirect` points at, if a visitor may see it now; else None.

        Asked of the model's own `public()`: a draft, a scheduled item or a
        signatory recorded only on drafts answers exactly like an unknown
        address, so the redirect never reveals where it went.
        """
        model = ContentType.objects.get_for_id(redirect.content_type_id).model_class()
        if model is None:
            return None
        return model._default_manager.public().filter(pk=redirect.object_id).first()
