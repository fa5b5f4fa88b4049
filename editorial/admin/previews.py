"""Preview links: share a draft or scheduled item with someone outside the admin."""

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from editorial.admin.change_form import EditorialChangeFormMixin
from editorial.models import PreviewLink


class PreviewLinksAdminMixin(EditorialChangeFormMixin):
    """A "Preview links" screen for a publishable model's items.

    Lists, creates and revokes links; the change form links to it. Only for
    models with a publishing state (`is_published`).
    """

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/preview-links/",
                self.admin_site.admin_view(self.preview_links_view),
                name=f"{opts.app_label}_{opts.model_name}_preview_links",
            ),
            *super().get_urls(),
        ]

    def preview_links_url(self, obj):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_preview_links",
            args=[quote(obj.pk)],
        )

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None and obj.pk:
            context["preview_links_url"] = self.preview_links_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_links_view(self, request, object_id):
        """Create, list and revoke share links for one draft or scheduled item."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        new_link_url = None
        if request.method == "POST":
            if "revoke" in request.POST:
                revoke = request.POST["revoke"]
                if not revoke.isdigit():
                    raise Http404("No such preview link.")
                link = get_object_or_404(PreviewLink.objects.for_object(obj), pk=revoke)
                link.revoke()
                messages.success(request, "The preview link is revoked.")
                return HttpResponseRedirect(request.path)
            lifetime = request.POST.get("lifetime", "")
            if lifetime not in PreviewLink.Lifetime.values:
                lifetime = PreviewLink.Lifetime.DAY
            _link, token = PreviewLink.create_for(
                obj,
                lifetime,
                user=request.user,
                # A NUL would fail on PostgreSQL; no note needs one.
                note=request.POST.get("note", "").replace("\x00", "")[:200],
            )
            # Shown once, on this page only: the database keeps just a hash.
            new_link_url = request.build_absolute_uri(
                reverse("editorial:preview", args=[token])
            )
        links = PreviewLink.objects.for_object(obj).select_related("created_by")
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": obj,
            "title": f"Preview links: {obj}",
            "subtitle": None,
            "links": links,
            "new_link_url": new_link_url,
            "lifetimes": PreviewLink.Lifetime.choices,
            "default_lifetime": PreviewLink.Lifetime.DAY,
            "is_published": obj.is_published,
            "now": timezone.now(),
            "change_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
            ),
        }
        response = TemplateResponse(
            request, "editorial/admin/preview_links.html", context
        )
        # The page may hold a fresh token: keep it out of every cache.
        response["Cache-Control"] = "no-store, private"
        return response
