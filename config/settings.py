"""Summit Watch settings, configured by environment variables; production-safe.

With nothing set, these are production's: DEBUG off, and no start without a
SECRET_KEY. A developer's tools choose config.dev_settings (DEBUG on, which
brings a default for every variable that works on a laptop); the test suite
uses config.test_settings. Production sets SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL (see README.md, which lists every variable read here).
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.object_storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
_KEY_ADVICE = (
    "set SECRET_KEY to a long random string, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start "
            f"without one: {_KEY_ADVICE} On a developer's machine, use the "
            "Makefile (`make run`, `make manage CMD=…`) or "
            "DJANGO_SETTINGS_MODULE=config.dev_settings."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
elif not DEBUG and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
):
    # The same test as Django's security.W009, made fatal: a guessable key
    # lets anyone forge session cookies and password-reset links.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production (fewer than 50 characters, "
        f"too few distinct characters, or a development key): {_KEY_ADVICE}"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("SITE_NAME", "Summit Watch")
# Absolute base for links that leave the site (feeds, exports, link previews).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Review requests email the editors (editorial.admin.publishing). Django's SMTP
# backend reads EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD
# and EMAIL_USE_TLS; config/dev_settings.py prints mail to the console instead.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "summitwatch@localhost")

# Fetching other sites' pages and feeds (core.fetch, used by the press inbox):
# addresses inside our own network are refused unless this is on (tests only:
# their server listens on 127.0.0.1). True, or a list of networks allowed.
FETCH_ALLOW_PRIVATE_ADDRESSES = False
FETCH_MAX_BYTES = 2 * 1024 * 1024
FETCH_CONNECT_TIMEOUT = 5
FETCH_READ_TIMEOUT = 10
FETCH_MAX_REDIRECTS = 5

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_countries",
    "markdownx",
    "core",
    "ops",
    "summits",
    "articles",
    "pages",
    "home",
    "exchange",
    "changes",
    "staticsite",
    "reversion",
    "editorial",
    "inbox",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.csp.CSPMiddleware",  # django-csp's, policies built once
    "ops.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads parameters into a query (see its docstring).
    "ops.middleware.RejectNulCharactersMiddleware",
    # Above sessions, CSRF and auth so a cached page skips them (speed). It
    # also compresses responses, cached variants included, so no
    # GZipMiddleware; never the admin or a page with a CSRF token (BREACH).
    "core.middleware_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Outage → 503 page.
    "ops.middleware.DatabaseUnavailableMiddleware",
    # Old addresses of renamed items → 301.
    "editorial.middleware.SlugRedirectMiddleware",
    # Last, so it sees the login view's outcome and turns a lockout into the
    # lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "pages.context_processors.menus",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Lets psycopg prepare search's statements (core.search.fetch_rows, the
    # only cursors that bind on the server): PostgreSQL then plans each once
    # per connection. Off (0) behind a pooler in transaction mode that does
    # not track prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "summitwatch",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Caching and conditional GET (speed)
# Anonymous pages are cached whole by core.middleware_cache and made stale by a
# content version that every edit bumps (core/cache.py has the rules and the
# other knobs). PAGE_CACHE=0 stops storing pages (template work, the
# benchmark's cold runs); ETag, 304 and Cache-Control are sent either way.
# Off by default with DEBUG, where templates change without any edit.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", default=not DEBUG)
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "300"))
# Parts of pages ({% cachedfragment %}, core/fragments.py) cached by the
# versions of the tables they read: what a page costs when the page cache
# misses (after an edit, a new query string) or is off. Off with DEBUG.
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE", default=not DEBUG)
# Rows outside the content apps that pages print, versioned like content for
# the fragments that show them: "Cite this record" prints the date of an
# item's newest revision.
FRAGMENT_CACHE_VERSIONED_MODELS = ["reversion.Revision", "reversion.Version"]

# Axes first: it refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Open data (/data/): where `publish_data` writes the downloads and dated
# snapshots (outside MEDIA_ROOT: /media/ is cached for a year, these change),
# and the licence they are published under.
DATA_ROOT = Path(os.environ.get("DATA_ROOT", BASE_DIR / "opendata"))
DATA_LICENCE = os.environ.get("DATA_LICENCE", "CC BY 4.0")
# Django serves /media/ itself unless a proxy or object store does
# (SERVE_MEDIA=0): one server then works out of the box, images included.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files with far-future cache headers in production;
        # plain files while developing so no collectstatic is needed.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Media on S3-compatible object storage when S3_BUCKET is set (the other S3_*
# variables: config/object_storage.py and README.md, "Object storage"). The
# store serves the files then, from MEDIA_URL, so Django does not.
_object_storage = media_storage(os.environ)
if _object_storage is not None:
    STORAGES["default"], MEDIA_URL = _object_storage
    SERVE_MEDIA = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "admin:login"

# django-markdownx: the preview renders through the same pipeline as save().
MARKDOWNX_MARKDOWNIFY_FUNCTION = "core.markdown.render_preview"
MARKDOWNX_MEDIA_PATH = "uploads/"
# Uploads are checked by core.uploads (our views replace markdownx's), which
# reads these caps; markdownx's own MARKDOWNX_UPLOAD_* settings are unused.
IMAGE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
IMAGE_UPLOAD_MAX_DIMENSION = 4000
IMAGE_UPLOAD_MAX_PIXELS = 50_000_000
# Django refuses request bodies above this before any view runs; an image at
# the cap plus the form's other fields must fit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- Security ----------------------------------------------------------------
# See README.md, "Production". With DEBUG off every default here is the strict
# one, and `manage.py check --deploy` reports nothing.

# HTTPS. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER to
# the header it sets (e.g. X-Forwarded-Proto) so Django knows the request
# was HTTPS. Only do so if the proxy always sets or strips that header:
# otherwise a client could claim HTTPS itself.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT")
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    _proxy_ssl_header = _proxy_ssl_header.upper().replace("-", "_")
    if not _proxy_ssl_header.startswith("HTTP_"):
        _proxy_ssl_header = f"HTTP_{_proxy_ssl_header}"
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https")

SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: admin forms carry the token, and
# markdownx's script falls back to the form's csrfmiddlewaretoken field.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4). Scripts and styles come only from
# our own origin, as files: no inline <script>, no style="" and no eval, on
# the public site and in the admin alike (Django's admin and markdownx's
# editor need none). Images may be data: URIs because the admin's widgets
# and some CSS use them. Nothing may frame us, and <object>/<embed> are off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
if _object_storage is not None:
    # Pages and the media library show images from the store's address.
    _media = urlsplit(MEDIA_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"{_media.scheme}://{_media.netloc}"
    )

# Features no page of ours uses, refused to any script that might ask.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)

# Login protection (django-axes): after AXES_FAILURE_LIMIT failed logins from
# one client IP, that IP cannot log in for AXES_COOLOFF_MINUTES; a successful
# login clears its count. Locking by IP, not by user name, so nobody can lock
# an editor out by mistyping their name on purpose.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# Behind a proxy every request comes from the proxy's address: name the
# header that carries the client's address (e.g. HTTP_X_FORWARDED_FOR) and
# how many proxies stand in front. The right-most X-Forwarded-For entry is
# the one our own proxy appended; entries to its left come from the client
# and can be forged to dodge the lockout.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
    env_list("AXES_CLIENT_IP_HEADERS", "REMOTE_ADDR")
)
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", None)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes announces its version at every start, i.e. on every
    # management command; its lockout messages come from other loggers.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}
