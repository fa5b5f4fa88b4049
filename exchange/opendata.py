"""Open data: the files /data/ offers, and how `publish_data` writes them.

Everything here reads `public()` only: drafts and scheduled items are never in
a file. The files are written into DATA_ROOT by `publish(…)`: each one to a
temporary file in the same folder first, and only when every file is written
are they moved into place (`os.replace`, atomic on one file system). A run
that fails part-way removes its temporary files and leaves the previous
downloads as they were.

CSV files start with a UTF-8 byte-order mark: Excel reads a CSV without one
in the machine's legacy code page, and "Türkiye" would show as "TÃ¼rkiye".
Every other program skips the mark (Python's "utf-8-sig", pandas, R).
"""

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from articles.models import Article
from exchange.format import load_schema_text
from exchange.serialise import Exporter, StreamWriter
from summits.models import (
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    Signature,
    Summit,
    signature_counts,
)
from summits.views import csv_safe, iso

BOM = "\ufeff"
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
SNAPSHOT_DIR = "snapshots"
SNAPSHOT_NAME = re.compile(r"summitwatch-\d{4}-\d{2}-\d{2}\.json")
# Where the common licences are published; any other DATA_LICENCE is printed
# as it is.
LICENCE_URLS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL 1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}


def data_root():
    return Path(settings.DATA_ROOT)


def licence():
    """(name, url) of the licence the data is published under."""
    name = settings.DATA_LICENCE
    return name, LICENCE_URLS.get(name, "")


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def write_csv(out, header, rows):
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])


# ---------------------------------------------------------------- the files


def write_export(out):
    exporter = Exporter()
    StreamWriter(out, indent=2).write_document(exporter.document(timestamp=True))


POSITION_HEADER = [
    "declaration", "declaration_title", "signatory", "signatory_name",
    "signatory_kind", "iso_alpha2", "iso_alpha3", "status",
    "signed_on", "declined_on", "ratified_on", "ratification_act",
    "in_force_on", "withdrawn_on", "source_url", "signed_source_url",
    "ratified_source_url", "in_force_source_url", "withdrawn_source_url", "note",
]  # fmt: skip


def write_positions(out):
    positions = (
        Signature.objects.filter(declaration__in=Declaration.objects.public())
        .select_related("declaration", "signatory")
        .order_by("declaration__slug", "signatory__slug")
    )
    write_csv(
        out,
        POSITION_HEADER,
        (
            [
                p.declaration.slug,
                p.declaration.title,
                p.signatory.slug,
                p.signatory.name,
                p.signatory.kind,
                p.signatory.alpha2,
                p.signatory.alpha3,
                p.status,
                iso(p.signed),
                iso(p.declined),
                iso(p.ratified),
                p.ratification_act,
                iso(p.in_force),
                iso(p.withdrawn),
                p.source_url,
                p.signed_source_url,
                p.ratified_source_url,
                p.in_force_source_url,
                p.withdrawn_source_url,
                p.note,
            ]  # fmt: skip
            for p in positions.iterator(chunk_size=2000)
        ),
    )


def write_summits(out):
    summits = Summit.objects.public().select_related("series").order_by("slug")
    write_csv(
        out,
        [
            "slug",
            "name",
            "series",
            "starts_on",
            "ends_on",
            "city",
            "venue",
            "host_country",
            "organiser",
            "website",
            "url",
        ],  # fmt: skip
        (
            [
                s.slug,
                s.name,
                s.series.slug if s.series else "",
                iso(s.starts),
                iso(s.ends),
                s.city,
                s.venue,
                s.host_country.code or "",
                s.organiser,
                s.website,
                absolute(s.get_absolute_url()),
            ]  # fmt: skip
            for s in summits
        ),
    )


def write_declarations(out):
    # Only a public summit is named: a declaration may be public before it.
    public_summits = set(Summit.objects.public().values_list("pk", flat=True))
    declarations = (
        Declaration.objects.public()
        .select_related("summit")
        .annotate(**signature_counts())
        .order_by("slug")
    )
    write_csv(
        out,
        [
            "slug",
            "title",
            "summit",
            "kind",
            "topic",
            "adopted_on",
            "binding",
            "signed_count",
            "declined_count",
            "reported_signatory_count",
            "source_url",
            "url",
        ],  # fmt: skip
        (
            [
                d.slug,
                d.title,
                d.summit.slug if d.summit_id in public_summits else "",
                d.kind,
                d.topic,
                iso(d.adopted),
                "yes" if d.binding else "no",
                d.signed_count,
                d.declined_count,
                d.reported_signatory_count,
                d.source_url,
                absolute(d.get_absolute_url()),
            ]  # fmt: skip
            for d in declarations
        ),
    )


def write_signatories(out):
    published = Q(signatures__declaration__in=Declaration.objects.public())
    signatories = (
        Signatory.objects.public()
        .annotate(**signature_counts(only=published))
        .order_by("slug")
    )
    write_csv(
        out,
        [
            "slug",
            "name",
            "kind",
            "iso_alpha2",
            "iso_alpha3",
            "website",
            "description",
            "signed_count",
            "declined_count",
            "url",
        ],  # fmt: skip
        (
            [
                s.slug,
                s.name,
                s.kind,
                s.alpha2,
                s.alpha3,
                s.website,
                s.description,
                s.signed_count,
                s.declined_count,
                absolute(s.get_absolute_url()),
            ]  # fmt: skip
            for s in signatories
        ),
    )


def write_series(out):
    write_csv(
        out,
        ["slug", "name", "organiser", "url"],
        (
            [s.slug, s.name, s.organiser, absolute(s.get_absolute_url())]
            for s in Series.objects.public().order_by("slug")
        ),
    )


def write_groups(out):
    memberships = GroupMembership.objects.filter(
        signatory__in=Signatory.objects.public()
    ).select_related("signatory")
    groups = (
        Group.objects.public()
        .order_by("slug")
        .prefetch_related(Prefetch("memberships", queryset=memberships))
    )
    rows = []
    for group in groups:
        for m in sorted(group.memberships.all(), key=lambda m: m.signatory.slug):
            rows.append(
                [
                    group.slug,
                    group.name,
                    group.kind,
                    m.signatory.slug,
                    m.signatory.name,
                    m.joined_on or "",
                    m.left_on or "",
                ]  # fmt: skip
            )
    write_csv(
        out,
        [
            "group",
            "group_name",
            "group_kind",
            "signatory",
            "signatory_name",
            "member_from",
            "member_to",
        ],  # fmt: skip
        rows,
    )


def write_articles(out):
    articles = Article.objects.public().defer("body", "body_html", "search_vector")
    write_csv(
        out,
        [
            "slug",
            "title",
            "kind",
            "published_at",
            "author_name",
            "outlet",
            "original_url",
            "original_published_on",
            "lede",
            "url",
        ],  # fmt: skip
        (
            [
                a.slug,
                a.title,
                a.kind,
                a.published_at.isoformat(),
                a.author_name,
                a.outlet,
                a.original_url,
                a.original_published_on or "",
                a.lede,
                absolute(a.get_absolute_url()),
            ]  # fmt: skip
            for a in articles.order_by("slug")
        ),
    )


def write_schema(out):
    out.write(load_schema_text())


def write_licence(out):
    name, url = licence()
    out.write(
        f"The data of {settings.SITE_NAME} ({settings.SITE_URL}) is published "
        f"under the {name} licence{f' ({url})' if url else ''}.\n\n"
        f"Attribute it to {settings.SITE_NAME}, with a link to "
        f"{settings.SITE_URL}/data/.\n"
    )


@dataclass(frozen=True)
class DataFile:
    """One download: its file name, media type, what it holds and its writer."""

    name: str
    content_type: str
    description: str
    write: object


DATA_FILES = [
    DataFile("summitwatch.json", JSON_TYPE,
             "Everything published, as one summitwatch.export/2 document",
             write_export),
    DataFile("positions.csv", CSV_TYPE,
             "Every position: who signed, declined, ratified or withdrew, with "
             "ISO codes and every stage date", write_positions),
    DataFile("summits.csv", CSV_TYPE, "Summits", write_summits),
    DataFile("declarations.csv", CSV_TYPE,
             "Declarations, statements, commitments and treaties", write_declarations),
    DataFile("signatories.csv", CSV_TYPE, "Signatories", write_signatories),
    DataFile("series.csv", CSV_TYPE, "Series of summits", write_series),
    DataFile("groups.csv", CSV_TYPE, "Groups and their members", write_groups),
    DataFile("articles.csv", CSV_TYPE, "Articles and press items", write_articles),
    DataFile("schema.json", JSON_TYPE,
             "The JSON Schema of the export document", write_schema),
    DataFile("LICENCE.txt", TEXT_TYPE, "The licence of the data", write_licence),
]  # fmt: skip
BY_NAME = {f.name: f for f in DATA_FILES}


def find(name):
    """(path, content type) of a published file named `name`, or None.

    Only names this module writes are ever looked up: a request cannot
    reach any other file under DATA_ROOT, or outside it.
    """
    if name in BY_NAME:
        path = data_root() / name
        content_type = BY_NAME[name].content_type
    elif SNAPSHOT_NAME.fullmatch(name):
        path = data_root() / SNAPSHOT_DIR / name
        content_type = JSON_TYPE
    else:
        return None
    return (path, content_type) if path.is_file() else None


def snapshots():
    """The dated snapshots kept, newest first: [(name, size)]."""
    folder = data_root() / SNAPSHOT_DIR
    if not folder.is_dir():
        return []
    names = sorted(
        (p.name for p in folder.iterdir() if SNAPSHOT_NAME.fullmatch(p.name)),
        reverse=True,
    )
    return [(name, (folder / name).stat().st_size) for name in names]


# ---------------------------------------------------------------- publishing


def _write_temporary(directory, name, write):
    handle = tempfile.NamedTemporaryFile(
        "w",
        encoding="utf-8",
        newline="",
        dir=directory,
        prefix=f".{name}.",
        suffix=".tmp",
        delete=False,
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # Temporary files are private (0600): give the download the
        # permissions an ordinary new file gets, so a web server can read it.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return handle.name


def publish(root=None, dry_run=False, today=None):
    """Write every file (and today's snapshot) into `root`; return their paths.

    With `dry_run`, everything is generated (so a failure shows) into memory
    and nothing is written.
    """
    root = Path(root or data_root())
    today = today or timezone.localdate()
    snapshot = root / SNAPSHOT_DIR / f"summitwatch-{today.isoformat()}.json"
    if dry_run:
        for data_file in DATA_FILES:
            data_file.write(io.StringIO())
        return [root / f.name for f in DATA_FILES] + [snapshot]
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    written = []  # (temporary, final)
    try:
        for data_file in DATA_FILES:
            temporary = _write_temporary(root, data_file.name, data_file.write)
            written.append((temporary, root / data_file.name))
        # The snapshot is the day's export: the same bytes, kept by date.
        export = written[0][0]
        copy = _write_temporary(
            snapshot.parent, snapshot.name, lambda out: out.write(_read(export))
        )
        written.append((copy, snapshot))
    except BaseException:
        for temporary, _ in written:
            Path(temporary).unlink(missing_ok=True)
        raise
    for temporary, final in written:
        os.replace(temporary, final)
    return [final for _, final in written]


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()
