"""Views that belong to no content app: the markdown editor's tools, media,
share cards (`ShareCardView`) and the `frameable` decorator of the one page
partners may put in an iframe.

django-markdownx ships a preview view and an upload view that anyone may call
and that trust the browser (CVE-2024-2319 and friends). We mount our own views
under markdownx's URL names instead: staff only, CSRF-protected, the preview
rendered by our one sanitising pipeline, uploads decoded and re-encoded by
`core.uploads`.
"""

import logging
from functools import wraps

from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views import View, static
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from config.object_storage import MEDIA_CACHE_CONTROL
from core.fragments import cached_value
from core.markdown import render_preview
from core.models import Image
from core.renditions import make_renditions
from core.share_cards import card_png
from core.storage import STORAGE_DOWN, STORAGE_ERRORS
from core.uploads import clean_image

logger = logging.getLogger(__name__)


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


ALT_TEXT_MAX = Image._meta.get_field("alt_text").max_length


@staff_only
@require_POST
def markdown_image_upload(request):
    """Store an image from the editor in the media library; answer its markdown.

    The JSON shape `{"image_code": "![alt](url)"}` is what markdownx's script
    inserts into the text; our editor script (static/js/markdown-editor.js)
    sends the alt text the editor typed with the file. Refusals are JSON 400
    with a message for people, and nothing is stored.
    """
    upload = request.FILES.get("image")
    if upload is None:
        return _upload_error("No image was received. Choose a file and try again.")
    alt_text = " ".join(request.POST.get("alt_text", "").split())
    if not alt_text:
        return _upload_error(
            "Describe the image first: its alt text is what people who cannot "
            "see it will read."
        )
    if len(alt_text) > ALT_TEXT_MAX:
        return _upload_error(
            f"Keep the alt text under {ALT_TEXT_MAX} characters "
            f"(it has {len(alt_text)}); put more in a caption."
        )
    try:
        cleaned = clean_image(upload)
    except ValidationError as error:
        logger.info(
            "Refused image upload from user %s: %s", request.user.pk, error.code
        )
        return _upload_error(" ".join(error.messages))
    image = Image(
        alt_text=alt_text,
        uploaded_by=request.user,
        width=cleaned.width,
        height=cleaned.height,
    )
    try:
        # Saved under the random name clean_image chose, in MARKDOWNX_MEDIA_PATH.
        image.file.save(cleaned.content.name, cleaned.content, save=False)
    except STORAGE_ERRORS:
        logger.warning("Media storage refused an upload", exc_info=True)
        # 503: the request was fine, the store was not; no row was saved.
        return _upload_error(STORAGE_DOWN, status=503)
    image.save()
    try:
        # Made once, now: the markdown pipeline then prints a <picture> of
        # them wherever the image is used (core.markdown.use_renditions).
        make_renditions(image.file.name)
    except STORAGE_ERRORS:
        # The original is stored and shows as a plain <img> meanwhile.
        logger.warning("Could not make renditions of %s", image.file, exc_info=True)
    return JsonResponse(
        {"image_code": image.markdown(), "url": image.url, "id": image.pk},
        status=200,
    )


LIBRARY_PAGE_SIZE = 24


@staff_only
@require_GET
def markdown_image_library(request):
    """The editor's image chooser: recent library images, optionally searched.

    JSON for static/js/markdown-editor.js; `q` matches alt text, caption,
    credit and file name.
    """
    images = Image.objects.all()
    query = request.GET.get("q", "").strip()[:200]
    if query:
        images = images.filter(
            Q(alt_text__icontains=query)
            | Q(caption__icontains=query)
            | Q(credit__icontains=query)
            | Q(file__icontains=query)
        )
    return JsonResponse(
        {
            "images": [
                {
                    "id": image.pk,
                    "url": image.url,
                    "alt_text": image.alt_text,
                    "caption": image.caption,
                    "markdown": image.markdown(),
                }
                for image in images[:LIBRARY_PAGE_SIZE]
            ]
        }
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
        # The banner speaks to whoever opened the page: a reviewer with a
        # preview link is not staff.
        context["is_shared_preview"] = self.shared_preview_object is not None
        return context

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.is_preview:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class CachedObjectMixin:
    """A detail view whose lookup of its object comes from the fragment cache
    (core.fragments) when nothing it read has changed: a cached page then
    costs no query at all. Keyed by the URL's slug or pk, the tables the
    lookup read and the next scheduled publication (a scheduled item's page
    answers on time). A "not found" is never stored, and a preview always
    asks the database.
    """

    def get_object(self, queryset=None):
        if queryset is not None or getattr(self, "is_preview", False):
            return super().get_object(queryset)
        return cached_value(
            f"object:{type(self).__module__}.{type(self).__qualname__}",
            (
                self.kwargs.get(self.slug_url_kwarg),
                self.kwargs.get(self.pk_url_kwarg),
            ),
            super().get_object,
            request=self.request,
        )


def media(request, path):
    """Uploaded images, for a site with no proxy or object store in front.

    `static.serve` keeps the path inside MEDIA_ROOT and answers conditional
    requests; SecurityMiddleware adds nosniff, so a file is only ever taken
    for the image type its name says (and every upload is a re-encoded image).
    A busy site lets its proxy serve /media/ and sets SERVE_MEDIA=0.
    """
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploads get new random names rather than being changed in place, so a
    # name always means the same bytes: the lifetime object storage gives too.
    response["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response


# What a page that may be framed by any site replaces in the policy.
FRAMEABLE_POLICY = {"frame-ancestors": ["*"]}


def frameable(view):
    """Let any site put this view's page in an <iframe>; every other page
    keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.

    The policy is written into the response's own header (django-csp leaves
    a header that is already set alone) rather than left to `csp_replace`'s
    attribute: the page cache keeps headers, not attributes, so a cached
    copy would otherwise come back with the site's `'none'`.
    """

    @xframe_options_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = build_policy(replace=FRAMEABLE_POLICY)
        return response

    return wrapped


class ShareCardView(View):
    """`<a record's page>card.png`: the record's share card (core.share_cards).

    Only what `model.objects.public()` lets a visitor see has a card; a draft
    or an unknown slug answers the same plain 404, so the URL reveals nothing.
    """

    model = None

    def get(self, request, slug):
        record = get_object_or_404(self.model.objects.public(), slug=slug)
        png, digest = card_png(record.share_card())
        response = HttpResponse(png, content_type="image/png")
        response["ETag"] = f'"{digest}"'
        patch_cache_control(response, public=True, max_age=60 * 60)
        return response
