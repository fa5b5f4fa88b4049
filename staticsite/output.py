"""The published folder: which file answers which address, with which media
type, and how a run replaces the previous output without ever showing half of
a new one.

Names. A folder address (`/declarations/bletchley/`) is written as the
folder's index file, named by what the page is: `index.html`, or `index.rss`
and `index.atom` for feeds, so a plain web server sends each with its type
from the extension alone. An address that names a file (`/sitemap.xml`,
`…/signatories.csv`, `…/card.png`) is written under that name, and only if the
name's extension says the type the site sends. The pages of a paginated list
(`/articles/?page=3`) are `index.page-3.html` in the list's folder: no slug
has a dot, so no page of the site can have that name. Any other query string
(filters, sort orders, a search) is the dynamic site's. A page of text has
its gzipped copy beside it (`index.html.gz`), for servers that send it as it
is to clients that accept gzip (nginx's gzip_static).

Generations. DIR is a symbolic link to the latest complete output, a folder
in the *state folder* `.<DIR's name>.publish_static/` beside DIR, with that
output's manifest next to it (`<generation>.json`: each file's address, media
type, size and digest). A run builds a new folder there. A file whose content
is the same as in the previous output is a hard link to the previous file
(same inode, same modification time, so rsync, `aws s3 sync` or a CDN sees it
unchanged); only new and changed files are written. When every file is in
place, a new link is renamed over DIR (one atomic rename) and the previous
folder is removed. A run that fails or is interrupted leaves DIR pointing at
the previous output, whole; the next run removes its half-built folder.
"""

import contextlib
import fcntl
import gzip
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

MANIFEST_FORMAT = "summitwatch.static/1"
STATE_SUFFIX = ".publish_static"
NOT_FOUND_FILE = "404.html"

# The type a web server should send for each extension the output holds: the
# site's own (text/csv for CSV, application/rss+xml for feeds…), then the usual
# ones for static files. The nginx snippet is generated from this table.
MEDIA_TYPES = {
    "html": "text/html",
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "xml": "application/xml",
    "txt": "text/plain",
    "csv": "text/csv",
    "json": "application/json",
    "css": "text/css",
    "js": "text/javascript",
    "mjs": "text/javascript",
    "map": "application/json",
    "md": "text/markdown",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "ico": "image/x-icon",
    "woff2": "font/woff2",
    "woff": "font/woff",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "pdf": "application/pdf",
    "gz": "application/gzip",
    "br": "application/x-brotli",
}
# Types that are text: sent with "; charset=utf-8" (every text we write is).
TEXT_TYPES = {
    "text/html",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/plain",
    "text/csv",
    "application/json",
    "text/css",
    "text/javascript",
    "text/markdown",
    "image/svg+xml",
}
FALLBACK_TYPE = "application/octet-stream"
# A page of text at least this long gets a gzipped copy beside it
# (`index.html.gz`), which nginx's gzip_static sends as it is to a client
# that accepts gzip: compressed once at publication, not per request.
GZIP_MIN_BYTES = 1024
# What a folder address's index file is called, by the type of the page.
INDEX_EXTENSIONS = {
    "text/html": "html",
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
}
PAGE_QUERY = re.compile(r"page=([1-9][0-9]{0,5})")
# One segment of a published address: slugs, file names. Nothing hidden, no
# "..", no characters a file system or a URL would treat specially.
SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


class Unpublishable(Exception):
    """An address that no file of a plain web server can answer as the site does."""


class OutputError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def media_type(response_content_type):
    """'text/html' from 'text/html; charset=utf-8'."""
    return response_content_type.split(";", 1)[0].strip().lower()


def type_of_file(path):
    """The media type a web server sends for `path`, from its extension."""
    name = path.rsplit("/", 1)[-1]
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    return MEDIA_TYPES.get(extension, FALLBACK_TYPE)


def page_number(query):
    """N for the query string "page=N" of a list's page, else None."""
    match = PAGE_QUERY.fullmatch(query)
    return int(match.group(1)) if match else None


def file_for(url, content_type):
    """The relative path of the file answering `url`, which the site serves
    as `content_type`; Unpublishable if no plain file can answer it."""
    parts = urlsplit(url)
    kind = media_type(content_type)
    segments = unquote(parts.path).split("/")
    if not parts.path.startswith("/") or parts.fragment:
        raise Unpublishable("not a path of the site")
    folders, name = segments[1:-1], segments[-1]
    for segment in [*folders, *([name] if name else [])]:
        if not SEGMENT.fullmatch(segment):
            raise Unpublishable(f"its path has an unusual segment ({segment!r})")
    stem = "index"
    if parts.query:
        number = page_number(parts.query)
        if number is None or name:
            raise Unpublishable("its query string is answered by the dynamic site")
        stem = f"index.page-{number}"
    if not name:
        extension = INDEX_EXTENSIONS.get(kind)
        if extension is None:
            raise Unpublishable(
                f"it answers {kind}, which a folder address cannot be served as"
            )
        name = f"{stem}.{extension}"
    elif type_of_file(name) != kind:
        raise Unpublishable(
            f"it answers {kind} but a web server would send {type_of_file(name)}"
        )
    return "/".join([*folders, name])


def gzip_bytes(content):
    """The same bytes for the same content: no name or time in the header."""
    return gzip.compress(content, compresslevel=9, mtime=0)


def is_within(path, folder):
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def protected_folders():
    """Folders the site itself serves or writes: no output may go in them,
    and none of them may be inside the output (a swap would hide it)."""
    named = {
        "STATIC_ROOT": settings.STATIC_ROOT,
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "DATA_ROOT": getattr(settings, "DATA_ROOT", None),
    }
    return {name: Path(value) for name, value in named.items() if value}


class Output:
    """DIR, its state folder, and the swap from one generation to the next."""

    def __init__(self, path):
        # Absolute without following DIR itself: DIR is normally our link.
        absolute = Path(os.path.abspath(Path(path).expanduser()))
        if absolute.name in ("", ".", ".."):
            raise OutputError(f"{path} cannot be the output folder; name a folder.")
        self.path = absolute.parent.resolve() / absolute.name
        self.state = self.path.parent / f".{self.path.name}{STATE_SUFFIX}"

    # -- checks ------------------------------------------------------------

    def check_usable(self, dry_run=False):
        """Raise OutputError unless a run may write DIR (see the module doc);
        make DIR's parent folder unless it is a dry run."""
        path = self.path
        if path.is_symlink():
            if not self.is_ours():
                raise OutputError(
                    f"{path} is a link that publish_static did not make: remove "
                    "it or choose another folder."
                )
        elif path.is_file():
            raise OutputError(f"{path} is a file, not a folder: choose a folder.")
        elif path.exists() and not path.is_dir():
            raise OutputError(f"{path} is not a folder: choose a folder.")
        elif path.is_dir() and any(path.iterdir()):
            raise OutputError(
                f"{path} already holds files that publish_static did not write. "
                "It makes DIR a link to each new output, so give it a new or "
                "empty folder."
            )
        for name, folder in protected_folders().items():
            if is_within(path, folder) or is_within(self.state, folder):
                raise OutputError(
                    f"{path} is inside {name} ({folder}), which the site serves "
                    "or writes itself: publish somewhere else."
                )
            if is_within(folder, path):
                raise OutputError(
                    f"{name} ({folder}) is inside {path}: publishing would hide "
                    "it. Publish somewhere else."
                )
        parent = path.parent
        if dry_run:
            return
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"Cannot create {parent}: {error.strerror}.") from error
        if not parent.is_dir():
            raise OutputError(f"{parent} is not a folder.")
        if not os.access(parent, os.W_OK | os.X_OK) or (
            self.state.exists() and not os.access(self.state, os.W_OK | os.X_OK)
        ):
            raise OutputError(
                f"Cannot write in {parent}: permission denied (publish_static "
                f"keeps DIR as a link there, and its outputs in {self.state.name})."
            )

    def is_ours(self):
        """DIR is a link into the state folder (its output may be gone: the
        next run writes every file again)."""
        target = Path(os.path.realpath(self.path))
        return self.path.is_symlink() and target.parent == self.state.resolve()

    # -- state --------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, waiting=None):
        """Hold the output's lock: one run at a time writes it.

        A second run waits for the first (`waiting` is called once if it has
        to), then publishes what is current by then.
        """
        self.state.mkdir(exist_ok=True)
        with open(self.state / "lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting:
                    waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current(self):
        """(folder, manifest) of the output DIR shows, or (None, {})."""
        folder = Path(os.path.realpath(self.path))
        if not self.is_ours() or not folder.is_dir():
            return None, {}
        try:
            manifest = json.loads((self.state / f"{folder.name}.json").read_text())
        except (OSError, ValueError):
            # Without its manifest every file is written again: correct, slower.
            return folder, {}
        if manifest.get("format") != MANIFEST_FORMAT:
            return folder, {}
        return folder, manifest

    def new_generation(self):
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        folder = self.state / name
        folder.mkdir(parents=True)
        return folder

    def activate(self, folder, manifest):
        """Point DIR at `folder` (atomically) and drop older generations."""
        manifest_path = self.state / f"{folder.name}.json"
        write_atomically(manifest_path, json.dumps(manifest, indent=1).encode())
        link = self.state / f".link-{secrets.token_hex(4)}"
        link.symlink_to(os.path.relpath(folder, self.path.parent))
        try:
            if self.path.is_dir() and not self.path.is_symlink():
                # The first run into an empty folder: replace it by the link.
                self.path.rmdir()
            os.replace(link, self.path)
        except OSError:
            link.unlink(missing_ok=True)
            raise
        fsync_folder(self.path.parent)
        self.remove_stale(keep=folder)

    def remove_stale(self, keep=None):
        """Remove generations DIR does not show: the previous one after a
        swap, and any that an interrupted run left half-built."""
        if not self.state.is_dir():
            return
        keep_name = keep.name if keep is not None else None
        for child in self.state.iterdir():
            if child.name == "lock" or child.name in (
                keep_name,
                f"{keep_name}.json",
            ):
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def write_atomically(path, data):
    """Write `data` beside `path`, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def fsync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def link_or_copy(source, destination):
    """Reuse `source`'s file (a hard link) or, where links fail, copy it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def walk(folder):
    """Every file under `folder`, as relative POSIX paths, sorted."""
    folder = Path(folder)
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
    )
