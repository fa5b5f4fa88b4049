"""Views that belong to no content app: the markdown editor's tools, media.

django-markdownx ships a preview view and an upload view that anyone may call
and that trust the browser (CVE-2024-2319 and friends). We mount our own views
under markdownx's URL names instead: staff only, CSRF-protected, the preview
rendered by our one sanitising pipeline, uploads decoded and re-encoded by
`core.uploads`.
"""

import logging
import posixpath
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views import static
from django.views.decorators.http import require_POST

from core.markdown import render_preview
from core.renditions import make_renditions
from core.uploads import clean_image

logger = logging.getLogger(__name__)

MEDIA_MAX_AGE = 24 * 60 * 60


def staff_only(view):
    """Refuse anyone who is not active staff with 403.

    These are editor tools, so only staff may call them. A 403 rather than a
    login redirect, because the editor calls them with XMLHttpRequest and a
    redirect to an HTML login page would be inserted into the preview.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise PermissionDenied("Only staff may use the markdown editor tools.")
        response = view(request, *args, **kwargs)
        # Previews may show drafts; uploads answer one editor. Never cache.
        add_never_cache_headers(response)
        return response

    return wrapped


@staff_only
@require_POST
def markdownify(request):
    """The editor's live preview: markdown in, sanitised HTML out."""
    return HttpResponse(render_preview(request.POST.get("content", "")))


def _upload_error(message, status=400):
    # markdownx's script inserts an error marker and fires its
    # `markdownx.fileUploadError` event with this body.
    return JsonResponse({"error": message}, status=status)


@staff_only
@require_POST
def markdown_image_upload(request):
    """Store an image dropped into the editor; answer with its markdown.

    The JSON shape `{"image_code": "![](url)"}` is what markdownx's script
    inserts into the text. Refusals are JSON 400 with a message for people.
    """
    upload = request.FILES.get("image")
    if upload is None:
        return _upload_error("No image was received. Choose a file and try again.")
    try:
        image = clean_image(upload)
    except ValidationError as error:
        logger.info(
            "Refused image upload from user %s: %s", request.user.pk, error.code
        )
        return _upload_error(" ".join(error.messages))
    media_path = getattr(settings, "MARKDOWNX_MEDIA_PATH", "uploads/")
    stored_name = default_storage.save(
        posixpath.join(media_path, image.content.name), image.content
    )
    # Made once, now: the markdown pipeline then prints a <picture> of them
    # wherever the image is used (core.markdown.use_renditions).
    make_renditions(stored_name)
    return JsonResponse(
        {"image_code": f"![]({default_storage.url(stored_name)})"}, status=200
    )


class NavSectionMixin:
    """Names the main-navigation section a view's page belongs to.

    The view sets `nav_section` ("summits", "articles"…); the base template
    marks that link with `aria-current`. The app owns its sections, so core
    keeps no list of URL names.
    """

    nav_section = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav_section"] = self.nav_section
        return context


class PublishedOrPreviewMixin:
    """Public detail/list views show `public()` items only.

    Staff may add `?preview=1` to see a draft or scheduled item as it will
    look; such responses are marked as a preview, kept out of search engines
    and never cached (see `dispatch`).
    """

    preview_param = "preview"

    @property
    def shared_preview_object(self):
        """The one item a draft preview link shows (set by `editorial.views`).

        Whoever holds a valid link may see that item and nothing else.
        """
        return getattr(self.request, "preview_object", None)

    @property
    def is_preview(self):
        if self.shared_preview_object is not None:
            return True
        user = self.request.user
        return (
            self.request.GET.get(self.preview_param) == "1"
            and user.is_authenticated
            and user.is_active
            and user.is_staff
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        shared = self.shared_preview_object
        if shared is not None:
            model = queryset.model
            return model._default_manager.filter(
                pk=shared.pk if isinstance(shared, model) else None
            )
        if self.is_preview:
            return queryset.model._default_manager.all()
        return queryset.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = self.is_preview
        return context

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.is_preview:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


def media(request, path):
    """Uploaded images, for a site with no proxy or object store in front.

    `static.serve` keeps the path inside MEDIA_ROOT and answers conditional
    requests; SecurityMiddleware adds nosniff, so a file is only ever taken
    for the image type its name says (and every upload is a re-encoded image).
    A busy site lets its proxy serve /media/ and sets SERVE_MEDIA=0.
    """
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploads get new random names rather than being changed in place.
    patch_cache_control(response, public=True, max_age=MEDIA_MAX_AGE)
    return response
