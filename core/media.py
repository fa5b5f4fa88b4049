"""Where media library images are used, found without naming any app.

Markdown refers to an image by its URL. The models that render markdown say
which fields hold it (`markdown_fields` of `RenderedMarkdownMixin`), and the
apps that hold content say so in their AppConfig, so core can look through
every such field without knowing which apps exist.
"""

from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from core.cache import content_models


@dataclass(frozen=True)
class Place:
    """One item whose markdown shows an image."""

    obj: object
    fields: tuple[str, ...]

    @property
    def label(self):
        return f"{self.obj._meta.verbose_name.capitalize()}: {self.obj}"

    @property
    def admin_url(self):
        opts = self.obj._meta
        try:
            return reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(self.obj.pk)],
            )
        except NoReverseMatch:
            return ""

    def as_html(self):
        field_names = ", ".join(
            str(self.obj._meta.get_field(name).verbose_name) for name in self.fields
        )
        if self.admin_url:
            return format_html(
                '<a href="{}">{}</a> ({})', self.admin_url, self.label, field_names
            )
        return format_html("{} ({})", self.label, field_names)


def markdown_models():
    """Content models with markdown fields: {model: (source field, …)}."""
    return {
        model: tuple(model.markdown_fields)
        for model in content_models()
        if getattr(model, "markdown_fields", None)
    }


def places_using(url):
    """Every item, draft or public, whose markdown contains `url`.

    One query per content model with markdown, whatever the number of items.
    """
    places = []
    if not url:
        return places
    for model, fields in markdown_models().items():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__contains": url})
        for obj in model._default_manager.filter(condition).order_by("pk"):
            used_in = tuple(f for f in fields if url in (getattr(obj, f) or ""))
            places.append(Place(obj, used_in))
    return places
