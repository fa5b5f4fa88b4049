"""Writing the export document: the objects in order, streamed as they are read.

The document is never built in memory: each top-level list is a generator over
a `.iterator()` queryset, and each object is encoded and written on its own.
The bytes are exactly those of `json.dumps(document, indent=indent,
ensure_ascii=False)` (a test holds us to it), so any JSON tool that re-indents
the file the same way gets the same text back.
"""

import json
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.db.models import F, Prefetch
from django.db.models.functions import Collate
from django.utils import timezone

from articles.models import Article
from exchange.format import (
    ARTICLE_FIELDS,
    ASSESSMENT_FIELDS,
    COMMITMENT_FIELDS,
    DECLARATION_FIELDS,
    EVIDENCE_FIELDS,
    GROUP_FIELDS,
    OTHER_NAME_FIELDS,
    PAGE_FIELDS,
    SCHEMA_ID,
    SERIES_FIELDS,
    SIGNATORY_FIELDS,
    SIGNATURE_FIELDS,
    SUMMIT_FIELDS,
    encode,
    format_date,
    format_datetime,
    stored_fields,
)
from pages.models import Page
from summits.models import (
    Assessment,
    Commitment,
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)

CHUNK_SIZE = 1000


def by_slug(field="slug"):
    """Order by raw code points on every database.

    PostgreSQL's default collation (en_US.UTF-8 on most servers) ignores
    hyphens when sorting, SQLite and Python do not; byte order makes an export
    from either database identical.
    """
    if connection.vendor == "postgresql":
        return Collate(F(field), "C").asc()
    return F(field).asc()


class Exporter:
    """Reads the site's content in export order, one object at a time."""

    def __init__(self, include_drafts=False):
        self.include_drafts = include_drafts

    def publishable(self, model):
        manager = model.objects
        return manager.all() if self.include_drafts else manager.public()

    def prepare(self):
        """Fix what the document contains before writing any of it.

        A reference (a declaration's summit, an article's related items) is
        written only when its target is in the document too, so every export
        stands on its own and validates without the database.
        """
        self.summits = self.publishable(Summit)
        self.declarations = self.publishable(Declaration)
        self.summit_slugs = set(self.summits.values_list("slug", flat=True))
        self.declaration_slugs = set(self.declarations.values_list("slug", flat=True))
        self.articles = self.publishable(Article)
        self.pages = self.publishable(Page)
        self.signatory_rows = (
            Signatory.objects.all()
            if self.include_drafts
            else Signatory.objects.public()
        )
        # A series or group has no draft state: it is exported when public
        # (a published summit, a public member), or always with drafts.
        self.series = (
            Series.objects.all() if self.include_drafts else Series.objects.public()
        )
        self.series_slugs = set(self.series.values_list("slug", flat=True))
        self.groups = (
            Group.objects.all() if self.include_drafts else Group.objects.public()
        )

    def counts(self):
        return {
            "signatories": self.signatory_rows.count(),
            "series": len(self.series_slugs),
            "groups": self.groups.count(),
            "summits": len(self.summit_slugs),
            "declarations": len(self.declaration_slugs),
            "articles": self.articles.count(),
            "pages": self.pages.count(),
        }

    def signatories(self):
        aliases = SignatoryAlias.objects.only("signatory", *OTHER_NAME_FIELDS)
        queryset = (
            self.signatory_rows.only(*SIGNATORY_FIELDS)
            .prefetch_related(Prefetch("aliases", queryset=aliases.order_by("name")))
            .order_by(by_slug())
        )
        for signatory in queryset.iterator(chunk_size=CHUNK_SIZE):
            item = {name: encode(signatory, name) for name in SIGNATORY_FIELDS}
            item["other_names"] = [
                {name: encode(alias, name) for name in OTHER_NAME_FIELDS}
                for alias in signatory.aliases.all()
            ]
            yield item

    def group_items(self):
        # Members are written only when they are in the document themselves.
        members = (
            GroupMembership.objects.filter(signatory__in=self.signatory_rows)
            .select_related("signatory")
            .only("group", "joined_on", "left_on", "signatory__slug")
            .order_by(by_slug("signatory__slug"))
        )
        queryset = (
            self.groups.only(*GROUP_FIELDS)
            .prefetch_related(Prefetch("memberships", queryset=members))
            .order_by(by_slug())
        )
        for group in queryset.iterator(chunk_size=CHUNK_SIZE):
            item = {name: encode(group, name) for name in GROUP_FIELDS}
            item["members"] = [
                {
                    "signatory": membership.signatory.slug,
                    "from": format_date(membership.joined_on),
                    "to": format_date(membership.left_on),
                }
                for membership in group.memberships.all()
            ]
            yield item

    def series_items(self):
        queryset = self.series.only(*SERIES_FIELDS).order_by(by_slug())
        for series in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield {name: encode(series, name) for name in SERIES_FIELDS}

    def summit_items(self):
        queryset = (
            self.summits.select_related("series")
            .only(*stored_fields(Summit, SUMMIT_FIELDS), "series__slug")
            .order_by(by_slug())
        )
        for summit in queryset.iterator(chunk_size=CHUNK_SIZE):
            item = {}
            for name in SUMMIT_FIELDS:
                if name == "series":
                    series = summit.series
                    exported = series is not None and series.slug in self.series_slugs
                    item["series"] = series.slug if exported else None
                else:
                    item[name] = encode(summit, name)
            yield item

    def declaration_items(self):
        signatures = (
            Signature.objects.select_related("signatory")
            .only(
                "declaration",
                "signatory__slug",
                *stored_fields(Signature, SIGNATURE_FIELDS[1:]),
            )
            .order_by(by_slug("signatory__slug"))
        )
        assessments = (
            self.publishable(Assessment)
            .select_related("signatory")
            .prefetch_related("evidence")
            .order_by(by_slug("signatory__slug"))
        )
        commitments = Commitment.objects.prefetch_related(
            Prefetch("assessments", queryset=assessments)
        )
        queryset = (
            self.declarations.select_related("summit")
            .only(*stored_fields(Declaration, DECLARATION_FIELDS), "summit__slug")
            .prefetch_related(
                Prefetch("signatures", queryset=signatures),
                Prefetch("commitments", queryset=commitments),
            )
            .order_by(by_slug())
        )
        for declaration in queryset.iterator(chunk_size=CHUNK_SIZE):
            item = {}
            for name in DECLARATION_FIELDS:
                if name == "summit":
                    summit = declaration.summit
                    exported = summit is not None and summit.slug in self.summit_slugs
                    item["summit"] = summit.slug if exported else None
                else:
                    item[name] = encode(declaration, name)
            item["signatures"] = [
                {"signatory": signature.signatory.slug}
                | {name: encode(signature, name) for name in SIGNATURE_FIELDS[1:]}
                for signature in declaration.signatures.all()
            ]
            item["commitments"] = [
                self.commitment_item(commitment)
                for commitment in declaration.commitments.all()
            ]
            yield item

    def commitment_item(self, commitment):
        """A commitment in its declaration's order, with its assessments."""
        item = {name: encode(commitment, name) for name in COMMITMENT_FIELDS}
        item["assessments"] = [
            {"signatory": assessment.signatory.slug}
            | {name: encode(assessment, name) for name in ASSESSMENT_FIELDS[1:]}
            | {
                "evidence": [
                    {name: getattr(link, name) for name in EVIDENCE_FIELDS}
                    for link in assessment.evidence.all()
                ]
            }
            for assessment in commitment.assessments.all()
        ]
        return item

    def article_items(self):
        queryset = (
            self.articles.only(*ARTICLE_FIELDS)
            .prefetch_related(
                Prefetch("summits", queryset=Summit.objects.only("slug")),
                Prefetch("declarations", queryset=Declaration.objects.only("slug")),
            )
            .order_by(by_slug())
        )
        for article in queryset.iterator(chunk_size=CHUNK_SIZE):
            item = {name: encode(article, name) for name in ARTICLE_FIELDS}
            item["summits"] = sorted(
                s.slug for s in article.summits.all() if s.slug in self.summit_slugs
            )
            item["declarations"] = sorted(
                d.slug
                for d in article.declarations.all()
                if d.slug in self.declaration_slugs
            )
            yield item

    def page_items(self):
        queryset = self.pages.only(*PAGE_FIELDS).order_by(by_slug())
        for page in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield {name: encode(page, name) for name in PAGE_FIELDS}

    def document(self, timestamp=True):
        """The document as (key, value) pairs; list values are generators."""
        self.prepare()
        pairs = [("schema", SCHEMA_ID)]
        if timestamp:
            pairs.append(("exported_at", format_datetime(timezone.now())))
        pairs += [
            ("site", {"name": settings.SITE_NAME, "base_url": settings.SITE_URL}),
            ("signatories", self.signatories()),
            ("series", self.series_items()),
            ("groups", self.group_items()),
            ("summits", self.summit_items()),
            ("declarations", self.declaration_items()),
            ("articles", self.article_items()),
            ("pages", self.page_items()),
        ]
        return pairs


class StreamWriter:
    """Writes a top-level object whose list values arrive one item at a time.

    Produces the same text as `json.dumps(..., indent=indent)` (compact
    separators when indent is 0), so the bytes do not depend on streaming.
    """

    def __init__(self, out, indent=2):
        self.out = out
        self.indent = indent or None

    def dumps(self, value, depth):
        if self.indent is None:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        text = json.dumps(value, ensure_ascii=False, indent=self.indent)
        # Strings never contain a raw newline (JSON escapes it), so every
        # newline here is structure and can take the outer indentation.
        return text.replace("\n", "\n" + " " * (self.indent * depth))

    def newline(self, depth):
        return "" if self.indent is None else "\n" + " " * (self.indent * depth)

    def write_document(self, pairs, on_item=None):
        """Write the object; `on_item(key)` is called after each list item."""
        write = self.out.write
        colon = ":" if self.indent is None else ": "
        write("{")
        for index, (key, value) in enumerate(pairs):
            write(("," if index else "") + self.newline(1) + json.dumps(key) + colon)
            if not isinstance(value, Iterator):
                write(self.dumps(value, 1))
                continue
            count = 0
            for item in value:
                write(("[" if count == 0 else ",") + self.newline(2))
                write(self.dumps(item, 2))
                count += 1
                if on_item:
                    on_item(key)
            write("[]" if count == 0 else self.newline(1) + "]")
        write(self.newline(0) + "}\n")
