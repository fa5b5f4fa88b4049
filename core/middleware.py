"""Response headers Django's SecurityMiddleware does not set itself."""

from django.conf import settings
from django.shortcuts import render


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` (settings.PERMISSIONS_POLICY) on every response.

    Our pages need no camera, microphone, location or payment API; saying so
    means an injected or third-party script cannot ask the visitor for them.
    A view that needs one can set its own header, which is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class RejectNulCharactersMiddleware:
    """Answer 400 to a request whose parameters contain U+0000.

    No form of ours means it, and PostgreSQL text cannot hold it: a NUL in a
    search, an admin filter or a small form reaches a query and fails there
    with a 500. Query strings and urlencoded bodies are checked here, once;
    multipart forms go through Django's form fields, which refuse it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (
            request.content_type == "application/x-www-form-urlencoded"
            and _holds_nul(request.POST)
        ):
            return render(
                request,
                "400.html",
                {"problem": "The request contained a character (U+0000) that no "
                 "page on this site accepts."},
                status=400,
            )  # fmt: skip
        return self.get_response(request)


def _holds_nul(params):
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in params.lists()
    )
