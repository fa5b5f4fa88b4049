"""Cite this record: a permalink, a "last updated" date and a suggested citation.

The mechanism, not the content: every model with a public page is `Citable`
(through `core.seo.DescribesItself`), so its page can print
`{% cite_record object %}`. The model provides its title
(`citation_title()`, by default its name as printed) and core provides the
date it last changed: the newest revision django-reversion recorded for it
(one query), or `updated_at` for a row saved without a revision (imports,
the shell, a model that keeps no history).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from reversion.models import Version

# Characters BibTeX reads as commands or grouping; each is written as the
# LaTeX that prints it. A title with "R&D" or "100%" would otherwise break
# the entry (or comment out its rest).
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def bibtex_escape(text):
    return "".join(_BIBTEX_ESCAPES.get(char, char) for char in str(text))


def bibtex_key(text):
    """A citation key from a slug: letters, digits and hyphens only."""
    return "".join(c for c in str(text) if c.isascii() and (c.isalnum() or c == "-"))


def last_updated(obj):
    """When `obj` last changed: its newest revision, else its `updated_at`.

    Always one query: the content type is joined by its natural key rather
    than looked up first (whose cache would make the first page cost more).
    """
    meta = obj._meta
    newest = Version.objects.filter(
        content_type__app_label=meta.app_label,
        content_type__model=meta.model_name,
        object_id=str(obj.pk),
    ).aggregate(newest=Max("revision__date_created"))["newest"]
    fallback = getattr(obj, "updated_at", None)
    if newest is None:
        return fallback
    return max(newest, fallback) if fallback else newest


@dataclass(frozen=True)
class Citation:
    """A suggested citation of one record, as plain text and as BibTeX."""

    title: str
    url: str
    key: str
    updated: datetime | None
    accessed: date

    @property
    def year(self):
        return (self.updated or self.accessed).year

    @property
    def updated_date(self):
        if self.updated is None:
            return None
        return timezone.localdate(self.updated)

    def plain(self):
        site = settings.SITE_NAME
        text = f"{site}. “{self.title}”. {self.year}. {self.url}"
        if self.updated_date:
            text += f" (last updated {self.updated_date:%-d %B %Y})"
        return f"{text}. Accessed {self.accessed:%-d %B %Y}."

    def bibtex(self):
        # One line per field; values in braces, BibTeX's specials escaped.
        lines = [
            f"  title = {{{bibtex_escape(self.title)}}}",
            f"  author = {{{{{bibtex_escape(settings.SITE_NAME)}}}}}",
            f"  year = {{{self.year}}}",
        ]
        if self.updated_date:
            lines.append(f"  date = {{{self.updated_date.isoformat()}}}")
        lines += [
            f"  url = {{{self.url}}}",
            f"  note = {{Accessed {self.accessed.isoformat()}}}",
        ]
        return f"@misc{{{self.key},\n" + ",\n".join(lines) + "\n}"


class Citable:
    """Mixin for models with a public page: how to cite it."""

    def citation_title(self):
        return str(self)

    def citation(self, url, updated=None, accessed=None):
        """The citation of this record at `url` (absolute), last changed at
        `updated` (see `last_updated`), read on `accessed` (default today)."""
        slug_key = bibtex_key(self.slug or self.pk)
        return Citation(
            title=self.citation_title(),
            url=url,
            key=bibtex_key(settings.SITE_NAME.lower().replace(" ", ""))
            + "-"
            + slug_key,
            updated=updated,
            accessed=accessed or timezone.localdate(),
        )
