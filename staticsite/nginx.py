"""The nginx configuration that serves a published folder as the site does.

`publish_static --nginx-config DIR` prints it. Everything in it comes from
the site itself: the media types from staticsite.output's table, the
security headers from what the site sends (a page, and the one page that may
be framed), the cache lifetimes from the settings. With `--app-url`, what the
folder cannot answer goes to the dynamic site: search, filtered and sorted
views (any query string other than a list's `?page=N`), the admin, and old
addresses that redirect. Without it the folder is the whole site, and an
address with a query string shows the page without it.
"""

import getpass
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from config.object_storage import MEDIA_CACHE_CONTROL
from core import cache as page_cache
from staticsite import output
from summits.models import Declaration

# Headers of the site's responses that a static server must send as well.
COPIED_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
)
# Hashed names (ManifestStaticFilesStorage): a file never changes in place.
IMMUTABLE = "public, max-age=31536000, immutable"


class ConfigError(Exception):
    pass


def app_address(app_url):
    """'http://127.0.0.1:8000' from --app-url, or ConfigError."""
    parts = urlsplit(app_url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
    ):
        raise ConfigError(
            f"--app-url {app_url!r} is not the address of the app: give scheme, "
            "host and port only, e.g. http://127.0.0.1:8000."
        )
    return f"{parts.scheme}://{parts.netloc}"


def quoted(value, allowed=""):
    """`value` as an nginx string. nginx reads "$name" there as a variable
    and a backslash as an escape, which only patterns and the file map mean
    (`allowed`); a quote or a line break would end the string."""
    forbidden = set('"\n\r$\\') - set(allowed)
    if forbidden & set(value):
        raise ConfigError(f"Cannot write {value!r} into an nginx string.")
    return f'"{value}"'


def embed_pattern():
    """A regex of the embed pages' addresses, from the URLconf, and of their
    files (what $uri is once `index` has found the file)."""
    before, after = reverse("summits:declaration_embed", args=["SLUG"]).split("SLUG")
    return f"~^{before}[^/]+{after}(index\\.html)?$"


def lifetimes():
    """(pattern, Cache-Control) by address, the site's own lifetimes."""
    page = (
        f"public, max-age={page_cache.setting('PAGE_CACHE_MAX_AGE')}, "
        "stale-while-revalidate="
        f"{page_cache.setting('PAGE_CACHE_STALE_WHILE_REVALIDATE')}"
    )
    hashed = "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]
    rules = [("default", page), (f"/{output.NOT_FOUND_FILE}", "no-cache")]
    if settings.STATIC_URL.startswith("/"):
        rules.append((f"~^{settings.STATIC_URL}", IMMUTABLE if hashed else page))
    if settings.MEDIA_URL.startswith("/"):
        # Uploads get new random names rather than being changed in place.
        rules.append((f"~^{settings.MEDIA_URL}", MEDIA_CACHE_CONTROL))
    return rules


def header_maps(page, framed):
    """One `map $uri` per copied header: the page's value everywhere, the
    framed page's on the embed pages (an empty value sends no header)."""
    maps, lines = [], []
    for name in COPIED_HEADERS:
        if name not in page.headers and (framed is None or name not in framed.headers):
            continue
        variable = "$summitwatch_" + name.lower().replace("-", "_")
        rules = [("default", page.headers.get(name, ""))]
        if framed is not None and framed.headers.get(name) != page.headers.get(name):
            rules.append((embed_pattern(), framed.headers.get(name, "")))
        maps.append(map_block("$uri", variable, rules))
        lines.append(f"add_header {name} {variable} always;")
    return maps, lines


def map_block(source, variable, rules, values_have_variables=False):
    """A `map`; its patterns are regexes (or exact values), so a "$" there is
    an anchor, and the values may name variables only when told so."""
    lines = [f"map {source} {variable} {{", "    volatile;"]
    for pattern, value in rules:
        key = "default" if pattern == "default" else quoted(pattern, allowed="$\\")
        lines.append(
            f"    {key} {quoted(value, allowed='$' if values_have_variables else '')};"
        )
    lines.append("}")
    # volatile: read again after an internal redirect (to the 404 page).
    return "\n".join(lines)


def config(root, renderer, listen="80", server_name=None, app_url=None):
    """The text to put in nginx's http block: maps and one server block."""
    app = app_address(app_url) if app_url else None
    page = renderer.get(reverse("home:home"))
    if page.status != 200:
        raise ConfigError(f"The home page answered {page.status}; fix that first.")
    declaration = Declaration.objects.public().only("slug").first()
    framed = None
    if declaration is not None:
        framed = renderer.get(
            reverse("summits:declaration_embed", args=[declaration.slug])
        )
        framed = framed if framed.status == 200 else None
    maps, header_lines = header_maps(page, framed)
    maps.append(map_block("$uri", "$summitwatch_cache_control", lifetimes()))
    header_lines.append("add_header Cache-Control $summitwatch_cache_control always;")

    extensions = {}
    for extension, kind in output.MEDIA_TYPES.items():
        extensions.setdefault(kind, []).append(extension)
    types = "\n".join(
        f"        {kind} {' '.join(names)};" for kind, names in extensions.items()
    )
    text_types = sorted(output.TEXT_TYPES)
    compressible = " ".join(kind for kind in text_types if kind != "text/html")
    fallback = "@app" if app else "=404"
    # The app must know the visitor's host and scheme (SECURE_PROXY_SSL_HEADER).
    proxy = "\n".join(
        f"        proxy_set_header {header};"
        for header in (
            "Host $http_host",
            "X-Forwarded-For $proxy_add_x_forwarded_for",
            "X-Forwarded-Proto $scheme",
        )
    )
    headers = "\n".join(f"        {line}" for line in header_lines)
    dynamic = (
        f"""
    # Search stays dynamic, and so does whatever the folder lacks (a query
    # string other than ?page=N, the admin, an old address that redirects).
    location {reverse("home:search")} {{
        proxy_pass {app};
{proxy}
    }}
    location @app {{
        proxy_pass {app};
{proxy}
    }}
"""
        if app
        else ""
    )
    to_app = (
        """        error_page 418 = @app;
        if ($summitwatch_file = "") { return 418; }
"""
        if app
        else ""
    )
    server = f"""server {{
    listen {listen};
    server_name {server_name or renderer.netloc.rsplit(":", 1)[0]};
    # DIR: a link publish_static points at each new output, in one rename.
    root {root};
    index index.html index.rss index.atom;
    server_tokens off;

    # Media types by extension, as the site sends them.
    types {{
{types}
    }}
    default_type {output.FALLBACK_TYPE};
    charset utf-8;
    charset_types {compressible};  # and text/html, always

    gzip on;
    gzip_vary on;
    gzip_static on;  # the .gz files beside the static files
    gzip_types {compressible};

    error_page 404 /{output.NOT_FOUND_FILE};
    location = /{output.NOT_FOUND_FILE} {{
        internal;
{headers}
    }}

    # The site's security headers and cache lifetimes (the maps above), on
    # the files only: the app sends its own (private ones for the admin).
    location / {{
{headers}
{to_app}        try_files $summitwatch_file $summitwatch_file/ {fallback};
    }}
{dynamic}}}
"""
    query_rule = (
        "Any other query\n# string (search, filters, sort orders) is the app's."
        if app
        else "There is no app\n# behind this site: any other query string is ignored."
    )
    file_map = map_block(
        "$args",
        "$summitwatch_file",
        [
            ("", "$uri"),
            (
                "~^page=(?<summitwatch_page>[1-9][0-9]{0,5})$",
                "${uri}index.page-${summitwatch_page}.html",
            ),
            ("default", "" if app else "$uri"),
        ],
        values_have_variables=True,
    )
    return f"""# Summit Watch: the output of `manage.py publish_static`, for nginx.
# Made by `manage.py publish_static --nginx-config`; make it again after
# changing SITE_URL, the security settings or the app's address. It goes in
# nginx's http block (Debian: a file in /etc/nginx/sites-enabled/).
{"" if app else "# Without --app-url there is no search: no app stands behind it."}
# The file answering a request: the address itself (a folder's index file is
# found by `index`), or, for ?page=N, that page of a list. {query_rule}
{file_map}

{chr(10).join(maps)}

{server}"""


def standalone_config(site_config, folder, workers="auto"):
    """A whole nginx.conf around `site_config` for an unprivileged nginx in
    the foreground, its pid, logs and temporary files in `folder`: how the
    tests and the benchmark serve an output (`nginx -c FILE -p FOLDER`)."""
    folder = str(folder)
    # Run as root (a container), nginx would hand requests to workers running
    # as "nobody", who may not read a private folder; as anyone else it runs
    # as that user and the directive does not apply.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temporary = "\n".join(
        f"    {kind}_temp_path {folder}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
{temporary}

{site_config}
}}
"""
