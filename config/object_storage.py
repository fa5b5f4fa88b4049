"""Media on S3-compatible object storage, configured by environment variables.

config/settings.py calls `media_storage(os.environ)`: with S3_BUCKET unset the
site keeps its media on the local disk (MEDIA_ROOT); with it set, uploads,
renditions and covers go to the bucket through django-storages, and every
host of a site with several sees the same files. README.md, "Object
storage", lists the variables.

Media are public, so their URLs are built from S3_PUBLIC_URL by string
formatting: no signed query strings, and no request to the store when a page
prints an image (a page still renders while the store is down). Stored names
are random and never reused (`file_overwrite` off), so every object is sent
with a year's `immutable` cache lifetime.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKEND = "storages.backends.s3.S3Storage"
# A name is written once and never changes (core.uploads picks random names;
# renditions live in a folder named after their original).
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
# A store that does not answer must fail an upload within seconds, with a
# message, rather than hold a worker until gunicorn kills it (30 s).
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
MAX_ATTEMPTS = 2
ADDRESSING_STYLES = {"auto", "path", "virtual"}


def _value(environ, name):
    return environ.get(name, "").strip()


def public_url_for(bucket, endpoint, region):
    """Where the bucket's objects are read when S3_PUBLIC_URL does not say."""
    if endpoint:
        # Path style works with every S3-compatible server and with IPs.
        return f"{endpoint}/{bucket}/"
    if region:
        return f"https://{bucket}.s3.{region}.amazonaws.com/"
    return f"https://{bucket}.s3.amazonaws.com/"


def media_storage(environ):
    """(the STORAGES "default" entry, MEDIA_URL) for S3, or None without S3_BUCKET.

    Raises ImproperlyConfigured for a value that cannot work, so a typo stops
    the deploy instead of breaking every upload.
    """
    bucket = _value(environ, "S3_BUCKET")
    if not bucket:
        return None
    endpoint = _value(environ, "S3_ENDPOINT_URL").rstrip("/")
    if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
        raise ImproperlyConfigured(
            f"S3_ENDPOINT_URL must start with https:// (or http://), not {endpoint!r}."
        )
    region = _value(environ, "S3_REGION")
    public_url = _value(environ, "S3_PUBLIC_URL") or public_url_for(
        bucket, endpoint, region
    )
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ImproperlyConfigured(
            "S3_PUBLIC_URL must be the address the media are read from, such as "
            f"https://media.example.org/ or https://cdn.example.org/media/, not "
            f"{public_url!r}."
        )
    addressing_style = _value(environ, "S3_ADDRESSING_STYLE") or (
        "path" if endpoint else "auto"
    )
    if addressing_style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"S3_ADDRESSING_STYLE must be one of {sorted(ADDRESSING_STYLES)}, "
            f"not {addressing_style!r}."
        )
    # Imported here: a site on the local disk never loads botocore.
    from botocore.config import Config

    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        # Unset, boto3 looks further: AWS_ACCESS_KEY_ID, an instance role…
        "access_key": _value(environ, "S3_ACCESS_KEY_ID") or None,
        "secret_key": _value(environ, "S3_SECRET_ACCESS_KEY") or None,
        # url() is then `{url_protocol}//{custom_domain}/{name}`: pure string
        # formatting, the same URL on every host and in every rendered page.
        "custom_domain": parts.netloc + parts.path.rstrip("/"),
        "url_protocol": f"{parts.scheme}:",
        "querystring_auth": False,
        # Never replace an object: its URL is cached for a year.
        "file_overwrite": False,
        "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        # For stores that grant public reading per object (public-read);
        # most buckets use a bucket policy instead and leave this unset.
        "default_acl": _value(environ, "S3_DEFAULT_ACL") or None,
        "client_config": Config(
            s3={"addressing_style": addressing_style},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        ),
    }
    media_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"
    return {"BACKEND": BACKEND, "OPTIONS": options}, media_url
