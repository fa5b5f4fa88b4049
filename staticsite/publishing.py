"""Build the static site, publish it into DIR, or check DIR against the site.

`site_files()` yields every file of the output: the pages, feeds, CSVs and
downloads listed by staticsite.addresses and rendered by the site itself
(staticsite.rendering), any further page the crawl finds linked, the 404
page, the media files the pages show and the static files. `publish()` writes
them as a new generation of DIR (staticsite.output: unchanged files are hard
links to the previous ones, the swap is atomic), `check()` compares them with
what DIR holds.

An empty feed is the one page that differs from one rendering to the next:
Django dates a feed with no item "now" (`lastBuildDate`, Atom's `updated`).
Such a feed counts as unchanged when nothing else in it changed, for
publishing (no rewrite) and for --check (no difference).
"""

import contextlib
import gzip
import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from core import cache as page_cache
from staticsite import output
from staticsite.addresses import NOT_FOUND_PROBE, Address, site_addresses
from staticsite.rendering import linked_addresses

FEED_TYPES = {"application/rss+xml", "application/atom+xml"}
FEED_HAS_ITEMS = re.compile(rb"<item>|<item |<entry>|<entry ")
FEED_DATES = re.compile(
    rb"<lastBuildDate>[^<]*</lastBuildDate>|<updated>[^<]*</updated>"
)
SITEMAP_LOCATION = re.compile(r"<loc>([^<]*)</loc>")
# collectstatic's own default: no version-control folders, hidden or backup files.
STATIC_IGNORED = ["CVS", ".*", "*~"]


class PublishError(Exception):
    """The site cannot be published as it is; nothing was changed."""


@dataclass
class SiteFile:
    """One file of the output: rendered (`body`) or copied (`source`)."""

    path: str
    url: str
    media_type: str
    body: bytes | None = None
    source: Path | None = None
    etag: str | None = None
    # The same file as in the previous output, known without rendering it.
    unchanged: bool = False

    def content(self):
        return self.body if self.source is None else self.source.read_bytes()

    def source_stamp(self):
        stat = self.source.stat()
        return [stat.st_size, stat.st_mtime_ns]


def comparable(content, media_type):
    """The bytes that matter when comparing two renderings of one file."""
    if media_type in FEED_TYPES and not FEED_HAS_ITEMS.search(content):
        return FEED_DATES.sub(b"", content)
    return content


def digest(content, media_type):
    return hashlib.sha256(comparable(content, media_type)).hexdigest()


@dataclass
class Report:
    """What a run did, for the command's output and the tests."""

    pages: int = 0
    media: int = 0
    static: int = 0
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    removed: list = field(default_factory=list)
    found_by_links: list = field(default_factory=list)
    dynamic_links: set = field(default_factory=set)
    warnings: list = field(default_factory=list)
    differences: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self):
        return self.pages + self.media + self.static

    def warn(self, message):
        self.warnings.append(message)


def url_prefix(setting_url):
    """'static/' for STATIC_URL '/static/'; None when another host serves them."""
    if not setting_url or not setting_url.startswith("/") or setting_url == "/":
        return None
    return setting_url.strip("/") + "/"


def static_sources():
    """{relative path: file} of the static files the site serves.

    STATIC_ROOT when collectstatic has filled it (hashed, compressed names in
    production), else the sources the finders find (a developer's site).
    """
    root = Path(settings.STATIC_ROOT) if settings.STATIC_ROOT else None
    if root is not None and root.is_dir() and any(root.iterdir()):
        return {name: root / name for name in output.walk(root)}
    found = {}
    for finder in finders.get_finders():
        for name, storage in finder.list(STATIC_IGNORED):
            found.setdefault(Path(name).as_posix(), Path(storage.path(name)))
    return dict(sorted(found.items()))


def media_source(name):
    """The file in MEDIA_ROOT for a /media/ name, or None if there is none."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def excluded(path):
    """Editor tools: never published, never crawled."""
    return path.startswith(tuple(page_cache.setting("PAGE_CACHE_EXCLUDED_PATHS")))


def card_etags(addresses):
    """{card address: the ETag its view would send}, worked out without
    drawing: ShareCardView tags a card with the digest of what it shows
    (core.share_cards), so an unchanged digest means unchanged bytes."""
    by_model = {}
    for address in addresses:
        if address.record is not None:
            model, pk = address.record
            by_model.setdefault(model, {})[pk] = address.url
    etags = {}
    for model, urls in by_model.items():
        pks = list(urls)
        # In slices: SQLite caps the parameters of one query.
        for start in range(0, len(pks), 500):
            records = model._default_manager.public().filter(
                pk__in=pks[start : start + 500]
            )
            for record in records:
                etags[urls[record.pk]] = f'"{record.share_card().digest()}"'
    return etags


def site_files(renderer, report, previous_files=None):
    """Every file of the static site (see the module docstring).

    With the previous output's manifest (`previous_files`), a share card
    whose picture has not changed is not drawn again: it is yielded as
    `unchanged`, to be linked from the previous output.
    """
    static_prefix = url_prefix(settings.STATIC_URL)
    media_prefix = url_prefix(settings.MEDIA_URL)
    statics = static_sources() if static_prefix else {}
    batch = site_addresses()
    queued = {address.url for address in batch}
    published, media, in_sitemap = set(), {}, set()
    sitemap_url = reverse("sitemap")
    etags = card_etags(batch)

    def reusable(address):
        path = output.file_for(address.url, output.type_of_file(address.url))
        old = (previous_files or {}).get(path)
        return old is not None and old.get("etag") == etags.get(address.url)

    while batch:
        # Pages render in the order listed (in several processes with
        # --jobs); the links they hold make the next batch.
        following = []
        for address in [a for a in batch if a.url in etags and reusable(a)]:
            published.add(address.url)
            report.pages += 1
            yield SiteFile(
                output.file_for(address.url, output.type_of_file(address.url)),
                address.url,
                output.type_of_file(address.url),
                etag=etags[address.url],
                unchanged=True,
            )
        batch = [a for a in batch if not (a.url in etags and reusable(a))]
        for address, rendered in zip(
            batch, renderer.get_many([a.url for a in batch]), strict=True
        ):
            if not rendered.is_public:
                skip(address, rendered, report)
                continue
            try:
                path = output.file_for(address.url, rendered.content_type)
            except output.Unpublishable as error:
                report.warn(f"{address.url} is not published: {error}.")
                continue
            kind = output.media_type(rendered.content_type)
            published.add(address.url)
            report.pages += 1
            if address.why == "link":
                report.found_by_links.append(address.url)
            yield SiteFile(
                path,
                address.url,
                kind,
                body=rendered.body,
                etag=rendered.headers.get("ETag") if address.record else None,
            )
            if address.url == sitemap_url:
                in_sitemap.update(
                    urlsplit(location).path
                    for location in SITEMAP_LOCATION.findall(rendered.text())
                )
            if kind != "text/html":
                continue
            for link in linked_addresses(rendered, renderer.origin):
                parts = urlsplit(link)
                if static_prefix and parts.path.startswith(f"/{static_prefix}"):
                    name = unquote(parts.path[len(static_prefix) + 1 :])
                    if name not in statics:
                        report.warn(
                            f"{address.url} links to {link}: no such static file."
                        )
                elif media_prefix and parts.path.startswith(f"/{media_prefix}"):
                    name = unquote(parts.path[len(media_prefix) + 1 :])
                    if name not in media:
                        media[name] = (media_source(name), address.url)
                elif excluded(parts.path) or link in queued:
                    continue
                elif parts.query and not (
                    output.page_number(parts.query) and parts.path in queued
                ):
                    # Filters, sort orders, searches: answered by the app.
                    report.dynamic_links.add(link)
                else:
                    queued.add(link)
                    following.append(Address(link, "link"))
        batch = following

    for location in sorted(in_sitemap - published):
        report.warn(f"{location} is in the sitemap but was not published.")

    not_found = renderer.get(NOT_FOUND_PROBE)
    if not_found.status == 404 and output.media_type(not_found.content_type) == (
        "text/html"
    ):
        report.pages += 1
        yield SiteFile(output.NOT_FOUND_FILE, "", "text/html", body=not_found.body)
    else:
        report.warn(
            f"{NOT_FOUND_PROBE} answered {not_found.status}, not a 404 page; "
            "the output has no 404 page."
        )

    for name, (source, linked_from) in sorted(media.items()):
        if source is None:
            report.warn(f"{linked_from} shows /{media_prefix}{name}: no such file.")
            continue
        report.media += 1
        path = f"{media_prefix}{name}"
        yield SiteFile(path, f"/{path}", output.type_of_file(path), source=source)
    for name, source in statics.items():
        report.static += 1
        path = f"{static_prefix}{name}"
        yield SiteFile(path, f"/{path}", output.type_of_file(path), source=source)


def skip(address, rendered, report):
    """Say why an address is not published; stop everything on a 5xx."""
    if rendered.status >= 500:
        raise PublishError(
            f"{address.url} answered {rendered.status}: the site is failing, so "
            "nothing is published."
        )
    what = f"answered {rendered.status}"
    if rendered.status in (301, 302, 307, 308):
        what += f" (to {rendered.headers.get('Location', '?')})"
    elif rendered.status == 200:
        what = "is personal (it sets a cookie or is marked private)"
    if address.why == "link":
        report.warn(f"{address.url}, linked from a page, {what}.")
    else:
        report.warn(f"{address.url} ({address.why}) {what}; not published.")


def publish(target, renderer, report, dry_run=False, waiting=None):
    """Publish the site into `target` (an output.Output); fill `report`."""
    started = time.monotonic()
    # A dry run writes nothing, not even the lock.
    with contextlib.nullcontext() if dry_run else target.lock(waiting=waiting):
        if not dry_run:
            target.remove_stale(keep=target.current()[0])
        previous_folder, previous = target.current()
        previous_files = intact(previous_folder, previous.get("files", {}))
        folder = None if dry_run else target.new_generation()
        try:
            files = {}
            for site_file in site_files(renderer, report, previous_files):
                if site_file.path in files:
                    raise PublishError(
                        f"{site_file.url} and {files[site_file.path]['url']} would "
                        f"both be written to {site_file.path}."
                    )
                entry = place(site_file, folder, previous_folder, previous_files)
                files[site_file.path] = entry
                old = previous_files.get(site_file.path)
                if old is None:
                    report.new.append(site_file.path)
                elif old["digest"] != entry["digest"]:
                    report.changed.append(site_file.path)
                else:
                    report.unchanged += 1
            report.removed = sorted(set(previous_files) - set(files))
            if folder is not None:
                target.activate(
                    folder,
                    {
                        "format": output.MANIFEST_FORMAT,
                        "site_url": renderer.origin,
                        "published_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        "files": files,
                    },
                )
        except BaseException:
            if folder is not None:
                # Whatever DIR shows stays: the previous output, or the new
                # one if the swap itself was done.
                target.remove_stale(keep=target.current()[0])
            raise
    report.seconds = time.monotonic() - started
    return report


def intact(folder, files):
    """The manifest's entries whose file is still there, at its size: only
    those may be reused (a file removed or edited by hand is written again)."""
    if folder is None:
        return {}
    kept = {}
    for path, entry in files.items():
        try:
            if (folder / path).stat().st_size == entry["size"] and (
                "gzip" not in entry
                or gzipped(folder / path).stat().st_size == entry["gzip"]
            ):
                kept[path] = entry
        except OSError:
            continue
    return kept


def place(site_file, folder, previous_folder, previous_files):
    """Put one file into the new generation `folder` (None: a dry run); return
    its manifest entry. An unchanged file is linked from the previous output."""
    old = previous_files.get(site_file.path)
    old_path = previous_folder / site_file.path if old is not None else None
    reusable = old is not None
    if site_file.unchanged:
        if folder is not None:
            output.link_or_copy(old_path, folder / site_file.path)
        return dict(old)
    entry = {"url": site_file.url, "type": site_file.media_type}
    if site_file.etag:
        entry["etag"] = site_file.etag
    if site_file.source is not None:
        # Static and media files: unchanged while their size and time are.
        entry["source"] = site_file.source_stamp()
        if reusable and old.get("source") == entry["source"]:
            entry.update(digest=old["digest"], size=old["size"])
            if folder is not None:
                output.link_or_copy(old_path, folder / site_file.path)
            return entry
    content = site_file.content()
    entry.update(digest=digest(content, site_file.media_type), size=len(content))
    if folder is None:
        return entry
    destination = folder / site_file.path
    if reusable and old["digest"] == entry["digest"]:
        # The previous file, not the new rendering: for an empty feed they
        # differ by the build date alone, and the file keeps its old bytes.
        entry["size"] = old["size"]
        output.link_or_copy(old_path, destination)
        if "gzip" in old:
            entry["gzip"] = old["gzip"]
            output.link_or_copy(gzipped(old_path), gzipped(destination))
        elif compresses(site_file, content):  # an output from before .gz files
            entry["gzip"] = write_gzipped(destination, destination.read_bytes())
        return entry
    destination.parent.mkdir(parents=True, exist_ok=True)
    with open(destination, "xb") as handle:
        handle.write(content)
    if compresses(site_file, content):
        entry["gzip"] = write_gzipped(destination, content)
    return entry


def write_gzipped(destination, content):
    packed = output.gzip_bytes(content)
    with open(gzipped(destination), "xb") as handle:
        handle.write(packed)
    return len(packed)


def compresses(site_file, content):
    """Does a page get its .gz beside it? Text of a useful size, rendered
    here (static files come with theirs from collectstatic)."""
    return (
        site_file.source is None
        and site_file.media_type in output.TEXT_TYPES
        and len(content) >= output.GZIP_MIN_BYTES
    )


def gzipped(path):
    return path.with_name(path.name + ".gz")


def check(directory, renderer, report):
    """Compare `directory` with the site; fill `report.differences`."""
    started = time.monotonic()
    directory = Path(directory)
    expected = set()
    for site_file in site_files(renderer, report):
        expected.add(site_file.path)
        path = directory / site_file.path
        where = (
            f"{site_file.path} ({site_file.url})" if site_file.url else (site_file.path)
        )
        content = site_file.content()
        if not path.is_file():
            report.differences.append(f"missing: {where}")
            continue
        on_disk = path.read_bytes()
        if comparable(on_disk, site_file.media_type) != comparable(
            content, site_file.media_type
        ):
            report.differences.append(f"differs: {where}")
        if compresses(site_file, content):
            expected.add(f"{site_file.path}.gz")
            try:
                unpacked = gzip.decompress(gzipped(path).read_bytes())
            except FileNotFoundError:
                report.differences.append(f"missing: {site_file.path}.gz")
            except (OSError, EOFError):
                report.differences.append(f"differs: {site_file.path}.gz")
            else:
                if unpacked != on_disk:
                    report.differences.append(f"differs: {site_file.path}.gz")
    for path in output.walk(directory):
        if path not in expected:
            report.differences.append(f"not on the site: {path}")
    report.seconds = time.monotonic() - started
    return report
